package org.echostream.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution guard. Every schema ever written to a topic is kept under
 * {@code src/main/resources/schema-history/<Name>/}; the current schema must be one of them (so a change
 * is a deliberate new version) and must read all of them (so old records stay readable).
 */
class SchemaHistoryTest {

    @Test
    void current_schema_of_every_topic_value_is_recorded_in_the_history() {
        for (Topic<?, ?> topic : Topics.all()) {
            AvroSerde<?> serde = (AvroSerde<?>) topic.valueSerde();
            Schema current = serde.readableSchemas().get(0);
            long fingerprint = SchemaNormalization.parsingFingerprint64(current);
            List<Long> recorded = serde.readableSchemas().subList(1, serde.readableSchemas().size()).stream()
                    .map(SchemaNormalization::parsingFingerprint64).toList();
            assertThat(recorded)
                    .as("%s changed: add it as the next version, e.g. write Schema#toString(true) of the new schema to "
                            + "contracts/src/main/resources/schema-history/%s/v<N>.avsc and list it in index there",
                            current.getName(), current.getName())
                    .contains(fingerprint);
        }
    }

    @Test
    void current_schema_reads_every_historic_version() {
        for (Topic<?, ?> topic : Topics.all()) {
            AvroSerde<?> serde = (AvroSerde<?>) topic.valueSerde();
            Schema reader = serde.readableSchemas().get(0);
            for (Schema writer : serde.readableSchemas()) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                assertThat(result.getType())
                        .as("%s cannot read a historic version: %s", reader.getName(), result.getDescription())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    /** Not a test: run once with -Dechostream.writeSchemaHistory=true to record the current schemas as v1. */
    @Test
    void write_history_when_asked() throws Exception {
        if (!Boolean.getBoolean("echostream.writeSchemaHistory")) {
            return;
        }
        for (Topic<?, ?> topic : Topics.all()) {
            Schema current = ((AvroSerde<?>) topic.valueSerde()).readableSchemas().get(0);
            Path dir = Path.of("src/main/resources/schema-history", current.getName());
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve("v1.avsc"))) {
                Files.writeString(dir.resolve("v1.avsc"), current.toString(true) + "\n");
                Files.writeString(dir.resolve("index"), "# historic writer schemas, oldest first\nv1.avsc\n");
            }
        }
    }
}

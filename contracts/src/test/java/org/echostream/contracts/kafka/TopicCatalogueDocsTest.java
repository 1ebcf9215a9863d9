package org.echostream.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/architecture.md is what people read: it must name every topic of the catalogue. */
class TopicCatalogueDocsTest {

    @Test
    void architecture_doc_lists_every_catalogue_topic() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "architecture.md"));
        for (Topic<?, ?> topic : Topics.all()) {
            String documentedName = topic.name().startsWith("echostream.dlq.") ? "echostream.dlq.<service>.v1" : topic.name();
            assertThat(doc).as("docs/architecture.md mentions %s", topic.name()).contains("`" + documentedName + "`");
            assertThat(doc).as("docs/architecture.md names the value type of %s", topic.name())
                    .contains("`" + topic.valueType().getSimpleName() + "`");
        }
    }
}

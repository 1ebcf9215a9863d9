package org.echostream.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.RecordDecodingException;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.junit.jupiter.api.Test;

class ContractRoundTripTest {

    @Test
    void every_catalogue_value_type_has_a_fully_populated_sample() {
        Set<Class<?>> sampled = ContractSamples.all().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> catalogued = Topics.all().stream().map(Topic::valueType).collect(Collectors.toSet());
        assertThat(sampled).containsAll(catalogued);
    }

    @Test
    void every_contract_type_survives_its_serde_field_for_field() {
        for (SpecificRecordBase sample : ContractSamples.all()) {
            AvroSerde<SpecificRecordBase> serde = serdeFor(sample);
            byte[] bytes = serde.serialize("any", sample);
            SpecificRecordBase back = serde.deserialize("any", bytes);
            assertThat(back).as(sample.getClass().getSimpleName()).isEqualTo(sample);
            for (int field = 0; field < sample.getSchema().getFields().size(); field++) {
                assertThat(back.get(field)).as(sample.getSchema().getName() + "." + sample.getSchema().getFields().get(field).name())
                        .isEqualTo(sample.get(field));
            }
        }
    }

    @Test
    void samples_set_every_optional_field() {
        for (SpecificRecordBase sample : ContractSamples.all()) {
            for (var field : sample.getSchema().getFields()) {
                assertThat(sample.get(field.pos())).as(sample.getSchema().getName() + "." + field.name() + " is set in the sample")
                        .isNotNull();
            }
        }
    }

    @Test
    void tombstones_pass_through_as_null() {
        AvroSerde<SeriesSummary> serde = AvroSerde.of(SeriesSummary.class);
        assertThat(serde.deserialize("t", null)).isNull();
        assertThat(serde.serialize("t", null)).isNull();
    }

    @Test
    void rejects_bytes_without_the_single_object_marker_with_reason() {
        AvroSerde<Clip> serde = AvroSerde.of(Clip.class);
        assertThatThrownBy(() -> serde.decode("{\"json\": true}".getBytes()))
                .isInstanceOf(RecordDecodingException.class)
                .extracting(e -> ((RecordDecodingException) e).reasonCode())
                .isEqualTo(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED);
    }

    @Test
    void rejects_a_record_of_another_type_as_unknown_schema() {
        byte[] summary = AvroSerde.of(SeriesSummary.class).encode(ContractSamples.summary());
        assertThatThrownBy(() -> AvroSerde.of(Clip.class).decode(summary))
                .isInstanceOf(RecordDecodingException.class)
                .extracting(e -> ((RecordDecodingException) e).reasonCode())
                .isEqualTo(RecordDecodingException.UNKNOWN_SCHEMA);
    }

    @Test
    void rejects_truncated_bodies_as_corrupt() {
        AvroSerde<Clip> serde = AvroSerde.of(Clip.class);
        byte[] whole = serde.encode(ContractSamples.clip());
        for (int cut = 11; cut < whole.length; cut += 7) {
            byte[] truncated = Arrays.copyOf(whole, cut);
            assertThatThrownBy(() -> serde.decode(truncated)).as("cut at %d of %d", cut, whole.length)
                    .isInstanceOf(RecordDecodingException.class)
                    .extracting(e -> ((RecordDecodingException) e).reasonCode())
                    .isEqualTo(RecordDecodingException.CORRUPT_BODY);
        }
    }

    @Test
    void random_corruption_of_a_body_never_escapes_as_anything_but_a_decoding_error() {
        AvroSerde<ClipLatents> serde = AvroSerde.of(ClipLatents.class);
        byte[] whole = serde.encode(ContractSamples.latents());
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] mutated = whole.clone();
            for (int flips = 0; flips < 1 + random.nextInt(4); flips++) {
                int at = 10 + random.nextInt(whole.length - 10); // keep the header: body corruption is the hard case
                mutated[at] = (byte) random.nextInt(256);
            }
            try {
                serde.decode(mutated);
            } catch (RecordDecodingException expected) {
                assertThat(expected.reasonCode()).isIn(RecordDecodingException.CORRUPT_BODY);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static AvroSerde<SpecificRecordBase> serdeFor(SpecificRecordBase sample) {
        return (AvroSerde<SpecificRecordBase>) (AvroSerde<?>) AvroSerde.of(sample.getClass());
    }
}

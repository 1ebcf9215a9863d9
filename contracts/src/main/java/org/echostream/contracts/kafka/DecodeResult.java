package org.echostream.contracts.kafka;

/** The outcome of reading one record value: the record, or the reason it is poison. */
public sealed interface DecodeResult<T> {

    record Decoded<T>(T value) implements DecodeResult<T> {
    }

    record Poison<T>(String reasonCode, String reasonDetail) implements DecodeResult<T> {
    }

    static <T extends org.apache.avro.specific.SpecificRecordBase> DecodeResult<T> decode(AvroSerde<T> serde, byte[] bytes) {
        try {
            return new Decoded<>(serde.decode(bytes));
        } catch (RecordDecodingException e) {
            return new Poison<>(e.reasonCode(), e.getMessage());
        }
    }
}

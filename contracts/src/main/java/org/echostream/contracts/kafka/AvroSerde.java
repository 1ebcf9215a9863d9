package org.echostream.contracts.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a contract record in Avro single-object encoding: a two-byte marker, the writer
 * schema's 64-bit fingerprint, then the binary body. Readers resolve older writer schemas listed under
 * {@code schema-history/<RecordName>/} on the classpath, so a consumer upgraded before its producer
 * (or replaying old data) still reads every record.
 *
 * <p>The serde is stateless after construction and safe to share between threads.
 */
public final class AvroSerde<T extends SpecificRecordBase> implements Serde<T>, Serializer<T>, Deserializer<T> {

    static {
        // SystemLimitException (an AvroRuntimeException) guards these bounds.
        // Avro allocates arrays from lengths written in the body. A corrupt or hostile record must not be
        // able to ask for gigabytes: no contract field is anywhere near these bounds.
        setIfAbsent("org.apache.avro.limits.bytes.maxLength", String.valueOf(64 * 1024 * 1024));
        setIfAbsent("org.apache.avro.limits.string.maxLength", String.valueOf(1024 * 1024));
        setIfAbsent("org.apache.avro.limits.collectionItems.maxLength", String.valueOf(16 * 1024 * 1024));
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final List<Schema> readableSchemas;

    private AvroSerde(Class<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema current = SpecificData.get().getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        List<Schema> schemas = new ArrayList<>();
        schemas.add(current);
        for (Schema historic : SchemaHistory.of(current)) {
            decoder.addSchema(historic);
            schemas.add(historic);
        }
        this.readableSchemas = List.copyOf(schemas);
    }

    public static <T extends SpecificRecordBase> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    /** The current schema first, then every historic writer schema this reader resolves. */
    public List<Schema> readableSchemas() {
        return readableSchemas;
    }

    public byte[] encode(T value) {
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * @throws RecordDecodingException with a reason code when the bytes are not a readable record of this type
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new RecordDecodingException(RecordDecodingException.EMPTY_VALUE,
                    type.getSimpleName() + ": value is " + (bytes == null ? "null" : "empty"), null);
        }
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new RecordDecodingException(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED,
                    type.getSimpleName() + ": " + bytes.length + " bytes without the Avro single-object marker (" + e.getMessage() + ")", e);
        } catch (MissingSchemaException e) {
            throw new RecordDecodingException(RecordDecodingException.UNKNOWN_SCHEMA,
                    type.getSimpleName() + ": writer schema unknown to this reader (" + e.getMessage()
                            + "); upgrade the consumer or add the schema to schema-history", e);
        } catch (IOException | RuntimeException e) {
            // Avro signals a corrupt body with many unchecked types (AvroRuntimeException, IndexOutOfBounds,
            // NegativeArraySize, UnsupportedOperation for absurd collection sizes, ...): all mean the same here.
            throw new RecordDecodingException(RecordDecodingException.CORRUPT_BODY,
                    type.getSimpleName() + ": body of " + bytes.length + " bytes is not readable with its writer schema ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        // Null values are tombstones on compacted topics: pass them through.
        return data == null ? null : decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the schema comes from the record class
    }

    @Override
    public void close() {
        // nothing to release; Serde and its halves share this instance
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Historic writer schemas kept as resources: {@code schema-history/<Name>/<version>.avsc}. */
    static final class SchemaHistory {
        private SchemaHistory() {
        }

        static List<Schema> of(Schema current) {
            String index = "schema-history/" + current.getName() + "/index";
            List<Schema> schemas = new ArrayList<>();
            try (InputStream in = AvroSerde.class.getClassLoader().getResourceAsStream(index)) {
                if (in == null) {
                    return schemas;
                }
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    String file = line.strip();
                    if (file.isEmpty() || file.startsWith("#")) {
                        continue;
                    }
                    String path = "schema-history/" + current.getName() + "/" + file;
                    try (InputStream schemaIn = AvroSerde.class.getClassLoader().getResourceAsStream(path)) {
                        if (schemaIn == null) {
                            throw new IllegalStateException(index + " lists " + file + " but " + path + " is not on the classpath");
                        }
                        schemas.add(new Schema.Parser().parse(schemaIn));
                    }
                }
                return schemas;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + index, e);
            }
        }
    }
}

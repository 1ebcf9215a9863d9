package org.echostream.contracts.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.DeadLetter;

/**
 * Builds dead-letter records. A poison Kafka record is referenced by topic/partition/offset and the
 * sha256 of its value; its bytes are not copied (they may hold pixels) and stay in the source topic
 * for its retention period.
 */
public final class DeadLetters {

    /** Keys are copied only when they look like a DICOM UID or a job id, never free text. */
    private static final Pattern SAFE_KEY = Pattern.compile("[0-9A-Za-z.\\-_]{1,128}");

    private final String service;
    private final Topic<String, DeadLetter> topic;
    private final Clock clock;

    public DeadLetters(String service, Clock clock) {
        this.service = service;
        this.topic = Topics.deadLettersOf(service);
        this.clock = clock;
    }

    public Topic<String, DeadLetter> topic() {
        return topic;
    }

    /** A Kafka record this service could not use, with the reason. */
    public DeadLetter forRecord(ConsumerRecord<byte[], byte[]> record, String reasonCode, String reasonDetail) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        return DeadLetter.newBuilder()
                .setService(service)
                .setReasonCode(reasonCode)
                .setReasonDetail(reasonDetail + " [" + record.topic() + "-" + record.partition() + "@" + record.offset() + "]")
                .setSourceKind("KAFKA_RECORD")
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setSourceKey(key != null && SAFE_KEY.matcher(key).matches() ? key : null)
                .setPayloadSha256(record.value() == null ? null : sha256(record.value()))
                .setPayloadBytes(record.value() == null ? null : (long) record.value().length)
                .setOccurredAt(clock.instant())
                .build();
    }

    /** Something that did not come from Kafka (a file, a DICOM association, an HTTP upload). */
    public DeadLetter.Builder forSource(String sourceKind, String reasonCode, String reasonDetail) {
        return DeadLetter.newBuilder()
                .setService(service)
                .setReasonCode(reasonCode)
                .setReasonDetail(reasonDetail)
                .setSourceKind(sourceKind)
                .setOccurredAt(clock.instant());
    }

    public ProducerRecord<String, DeadLetter> toProducerRecord(DeadLetter letter) {
        String key = letter.getSopInstanceUid() != null ? letter.getSopInstanceUid() : letter.getSourceKey();
        return new ProducerRecord<>(topic.name(), key, letter);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}

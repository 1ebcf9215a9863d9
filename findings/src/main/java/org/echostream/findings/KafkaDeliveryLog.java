package org.echostream.findings;

import org.echostream.contracts.kafka.KafkaClientSettings;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.delivery.DeliveryLog;
import org.jboss.logging.Logger;

/**
 * Delivery records and dead letters on Kafka, each in its own transaction, committed before {@link #record}
 * returns. The transactional id is fixed: a second instance that starts with it fences this one, whose next
 * record then fails, so it sends nothing more (two instances never both deliver).
 *
 * <p>Used by the feed thread only.
 */
final class KafkaDeliveryLog implements DeliveryLog, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaDeliveryLog.class);

    private final Map<String, Object> configs;
    private final Duration timeout;
    private KafkaProducer<String, byte[]> producer;
    private volatile boolean fenced;
    private final AvroSerde<FindingsDelivery> deliveries = AvroSerde.of(FindingsDelivery.class);
    private final AvroSerde<DeadLetter> letters = AvroSerde.of(DeadLetter.class);

    KafkaDeliveryLog(String bootstrapServers, String transactionalId, Duration timeout) {
        this(bootstrapServers, transactionalId, timeout, Map.of());
    }

    /** @param connection the {@code kafka.*} settings; the connection ones (TLS, SASL) are used */
    KafkaDeliveryLog(String bootstrapServers, String transactionalId, Duration timeout, Map<String, Object> connection) {
        this.configs = KafkaClientSettings.with(connection, Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.CLIENT_ID_CONFIG, transactionalId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() + 1000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000)));
        this.timeout = timeout;
    }

    /** Whether another instance took over the transactional id: this one must stop delivering. */
    boolean fenced() {
        return fenced;
    }

    @Override
    public void record(FindingsDelivery delivery) {
        inTransaction(new ProducerRecord<>(Topics.FINDINGS_DELIVERIES.name(), delivery.getStudyInstanceUid(), deliveries.encode(delivery)),
                "delivery record of study " + delivery.getStudyInstanceUid());
    }

    @Override
    public void deadLetter(DeadLetter letter) {
        try {
            String key = letter.getSopInstanceUid() != null ? letter.getSopInstanceUid() : letter.getSourceKey();
            inTransaction(new ProducerRecord<>(Topics.deadLettersOf("findings").name(), key, letters.encode(letter)),
                    "dead letter " + letter.getReasonCode());
        } catch (DeliveryLogException e) {
            // the refusal is logged and counted by the caller; losing the dead-letter copy must not stop the feed
            LOG.errorf("dead letter %s (%s) not written: %s", letter.getReasonCode(), letter.getReasonDetail(), e.getMessage());
        }
    }

    private void inTransaction(ProducerRecord<String, byte[]> record, String what) {
        if (fenced) {
            throw new DeliveryLogException(what + " not written: another findings instance took over transactional id "
                    + configs.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG), null);
        }
        try {
            KafkaProducer<String, byte[]> p = producer();
            p.beginTransaction();
            p.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            p.commitTransaction();
        } catch (ProducerFencedException e) {
            throw fence(what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProducerFencedException) {
                throw fence(what, e.getCause());
            }
            abortQuietly();
            throw new DeliveryLogException(what + " not written to Kafka: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            abortQuietly();
            throw new DeliveryLogException(what + " not acknowledged by Kafka within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortQuietly();
            throw new DeliveryLogException(what + " not written: interrupted", e);
        } catch (KafkaException e) {
            // initTransactions, begin or commit failed (broker away): start over with a new producer next time
            closeProducer();
            throw new DeliveryLogException(what + " not written to Kafka: " + e.getMessage(), e);
        }
    }

    private DeliveryLogException fence(String what, Throwable cause) {
        fenced = true;
        closeProducer();
        return new DeliveryLogException(what + " not written: another findings instance took over transactional id "
                + configs.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) + "; this one stops delivering", cause);
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(configs, new StringSerializer(), new ByteArraySerializer());
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
        }
        return producer;
    }

    private void abortQuietly() {
        try {
            if (producer != null) {
                producer.abortTransaction();
            }
        } catch (RuntimeException e) {
            // the transaction times out on the broker anyway; a fresh producer starts clean
            closeProducer();
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    @Override
    public void close() {
        closeProducer();
    }
}

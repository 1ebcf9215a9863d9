package org.echostream.ingest.pipeline;

/**
 * Publishes every record of one instance atomically (study, instance, clips, dead letter), returning only
 * once all are acknowledged. Implemented with a Kafka transaction; tests may implement it in memory.
 */
public interface InstancePublisher {

    /** @throws PublishException when the records are not durably published: nothing of them is visible */
    void publish(ProcessedInstance instance) throws PublishException;

    /** Publishing failed; the instance must not be acknowledged to its sender. */
    final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

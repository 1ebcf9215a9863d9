package org.echostream.ingest.pipeline;

import java.util.List;
import org.echostream.contracts.StudyStatus;

/**
 * Publishes every record of one instance atomically (study, its completeness status, instance, clips, dead letter),
 * returning only once all are acknowledged. Implemented with a Kafka transaction; tests may implement it in memory.
 */
public interface InstancePublisher {

    /**
     * @param statuses the study's new completeness status (none or one), published in the same transaction
     * @throws PublishException when the records are not durably published: nothing of them is visible
     */
    void publish(ProcessedInstance instance, List<StudyStatus> statuses) throws PublishException;

    /** Study statuses that changed without an instance (released, final), in one transaction. */
    void publishStatuses(List<StudyStatus> statuses) throws PublishException;

    /** Publishing failed; the instance must not be acknowledged to its sender. */
    final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

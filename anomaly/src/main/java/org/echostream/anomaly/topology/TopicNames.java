package org.echostream.anomaly.topology;

import org.echostream.contracts.kafka.Topics;

/** The topics the topology reads and writes: the catalogue's in the service, per-test names in tests. */
public record TopicNames(String latents, String surprise, String events, String summaries, String deadLetters) {

    public static TopicNames catalogue() {
        return new TopicNames(Topics.LATENTS.name(), Topics.SURPRISE.name(), Topics.ANOMALY_EVENTS.name(),
                Topics.SERIES_SUMMARIES.name(), Topics.DLQ_ANOMALY.name());
    }
}

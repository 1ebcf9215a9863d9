package org.echostream.api;

/** Answers 503 while the read model is still being rebuilt: a partial worklist would look complete. */
final class ReadModelGate {

    private ReadModelGate() {
    }

    static void requireReady(ReadModelFeed feed) {
        if (!feed.caughtUp()) {
            throw ApiErrors.unavailable(feed.failure() != null
                    ? "the read model stopped (" + feed.failure() + "); see the api's log"
                    : "the read model is being rebuilt from Kafka, " + Math.max(0, feed.recordsToCatchUp()) + " records to go; retry shortly");
        }
    }
}

package org.echostream.api;

/** Answers 503 while the read model is still being rebuilt: a partial worklist would look complete. */
final class ReadModelGate {

    private ReadModelGate() {
    }

    static void requireReady(ReadModelFeed feed) {
        if (!feed.caughtUp()) {
            String why;
            if (feed.failure() != null) {
                why = "the read model stopped (" + feed.failure() + "); see the api's log";
            } else if (feed.waitingFor() != null) {
                why = "the read model waits for Kafka (" + feed.waitingFor() + "); retry shortly";
            } else {
                why = "the read model is being rebuilt from Kafka, " + Math.max(0, feed.recordsToCatchUp()) + " records to go; retry shortly";
            }
            throw ApiErrors.unavailable(why);
        }
    }
}

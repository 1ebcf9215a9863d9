package org.echostream.embedder.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Dynamic batching and backpressure: a batch runs as soon as it is full, or when its oldest clip has
 * waited {@code maxWait}; consumption pauses while {@code maxBufferedClips} clips wait, so a long backlog
 * stays on the broker instead of in memory.
 *
 * @param maxBatchSize     clips per encoder/predictor run
 * @param maxWait          longest a clip waits for others to fill its batch
 * @param maxBufferedClips clips held in memory before consumption pauses (at least one full batch)
 */
public record BatchPolicy(int maxBatchSize, Duration maxWait, int maxBufferedClips) {

    /** Poll no longer than this while idle, so that stop requests and rebalances are seen promptly. */
    static final Duration IDLE_POLL = Duration.ofMillis(200);

    public BatchPolicy {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max batch size must be >= 1, got " + maxBatchSize);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWait);
        }
        if (maxBufferedClips < maxBatchSize) {
            throw new IllegalArgumentException("max buffered clips (" + maxBufferedClips + ") must hold at least one batch of "
                    + maxBatchSize);
        }
    }

    /** Whether a batch should run now. {@code oldestArrival} is ignored when nothing is buffered. */
    public boolean isDue(int buffered, Instant oldestArrival, Instant now) {
        if (buffered <= 0) {
            return false;
        }
        return buffered >= maxBatchSize || !now.isBefore(oldestArrival.plus(maxWait));
    }

    public boolean shouldPause(int buffered) {
        return buffered >= maxBufferedClips;
    }

    /** How long the next poll may block: until the oldest buffered clip is due, or the idle poll. */
    public Duration pollTimeout(int buffered, Instant oldestArrival, Instant now) {
        if (buffered <= 0) {
            return IDLE_POLL;
        }
        Duration left = Duration.between(now, oldestArrival.plus(maxWait));
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(IDLE_POLL) < 0 ? left : IDLE_POLL;
    }
}

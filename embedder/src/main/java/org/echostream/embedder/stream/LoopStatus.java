package org.echostream.embedder.stream;

import java.time.Instant;

/**
 * What the embed loop is doing, for health checks. Written by the loop thread, read by anyone.
 *
 * @param state              lifecycle
 * @param assignedPartitions clips partitions this instance owns now
 * @param lastCommitAt       when the last transaction committed (null before the first)
 * @param failure            why the loop stopped, when {@code state} is FAILED
 */
public record LoopStatus(State state, int assignedPartitions, Instant lastCommitAt, String failure) {

    public enum State { STARTING, RUNNING, STOPPED, FAILED }

    static LoopStatus starting() {
        return new LoopStatus(State.STARTING, 0, null, null);
    }

    LoopStatus with(State newState) {
        return new LoopStatus(newState, assignedPartitions, lastCommitAt, failure);
    }

    LoopStatus withPartitions(int count) {
        return new LoopStatus(state, count, lastCommitAt, failure);
    }

    LoopStatus committedAt(Instant at) {
        return new LoopStatus(state, assignedPartitions, at, failure);
    }

    LoopStatus failed(String why) {
        return new LoopStatus(State.FAILED, assignedPartitions, lastCommitAt, why);
    }
}

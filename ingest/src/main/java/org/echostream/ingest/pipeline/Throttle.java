package org.echostream.ingest.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Spaces items evenly at no more than {@code perSecond}, so that a batch import leaves CPU, disk and broker to the
 * live C-STORE traffic, and a backfill stays within what the PACS owner allows. Time comes from the injected clock;
 * waiting from the injected sleeper. Safe to share between threads: they queue for their turn.
 */
public final class Throttle {

    /** How the throttle waits (tests record the waits instead of sleeping). */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    private final Duration interval;
    private final Clock clock;
    private final Sleeper sleeper;
    private Instant next;

    /** @param perSecond most items per second; 0 or less: no limit */
    public Throttle(double perSecond, Clock clock, Sleeper sleeper) {
        this.interval = perSecond > 0 ? Duration.ofNanos((long) (1e9 / perSecond)) : Duration.ZERO;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static Throttle unlimited(Clock clock) {
        return new Throttle(0, clock, THREAD_SLEEP);
    }

    /** Waits until the next item may start. */
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /**
     * Waits until the next {@code items} may start together (a retrieval of several instances); the items after
     * them wait as long as these would have one by one.
     *
     * @return whether it had to wait
     */
    public synchronized boolean acquire(int items) throws InterruptedException {
        if (interval.isZero()) {
            return false;
        }
        Instant now = clock.instant();
        boolean waited = false;
        if (next != null && now.isBefore(next)) {
            sleeper.sleep(Duration.between(now, next));
            now = next;
            waited = true;
        }
        next = now.plus(interval.multipliedBy(Math.max(1, items)));
        return waited;
    }
}

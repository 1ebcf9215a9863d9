package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A time budget around another decoder: each decode runs on a thread of a bounded pool and is given up after the
 * budget, answered {@link RejectReason#DECODE_TIMEOUT}. The overrunning thread is interrupted and abandoned, so the
 * caller's processing slot is free again at once. Codecs do not all look at interrupts (ImageIO's JPEG 2000 reader
 * does not), so an abandoned decode may spin on; the pool holds at most {@code threads} of them and refuses further
 * decodes with the same reason rather than growing, so a flood of hanging files costs a fixed number of threads.
 */
public final class BudgetedDecoder implements DicomDecoder, AutoCloseable {

    private final DicomDecoder inner;
    private final Duration budget;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger overran = new AtomicInteger();

    /**
     * @param budget  longest one decode may take
     * @param threads decode threads at most: the instances processed at once plus room for abandoned ones
     */
    public BudgetedDecoder(DicomDecoder inner, Duration budget, int threads) {
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("the decode budget must be positive, got " + budget);
        }
        this.inner = inner;
        this.budget = budget;
        AtomicInteger n = new AtomicInteger();
        // No queue: a decode starts at once or is refused; idle threads go after a minute.
        this.pool = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "decode-" + n.incrementAndGet());
            t.setDaemon(true); // an abandoned decode must not keep the JVM from stopping
            return t;
        });
    }

    @Override
    public DecodeOutcome decode(ByteBuffer file) {
        Future<DecodeOutcome> decoding;
        try {
            // each decode gets its own view: an abandoned one must not move the caller's position
            ByteBuffer view = file.duplicate();
            decoding = pool.submit(() -> inner.decode(view));
        } catch (RejectedExecutionException e) {
            return new DecodeOutcome.Rejected(RejectReason.DECODE_TIMEOUT, String.format("no decode thread free: all %d still run decodes "
                    + "that overran their %s budget", pool.getMaximumPoolSize(), budget), null, null);
        }
        try {
            return decoding.get(budget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            decoding.cancel(true);
            overran.incrementAndGet();
            return new DecodeOutcome.Rejected(RejectReason.DECODE_TIMEOUT, "decoding took longer than its " + budget.toMillis()
                    + " ms budget (echostream.ingest.decode-timeout) and was abandoned", null, null);
        } catch (InterruptedException e) {
            decoding.cancel(true);
            Thread.currentThread().interrupt();
            return new DecodeOutcome.Rejected(RejectReason.DECODE_TIMEOUT, "interrupted while waiting for the decode", null, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OutOfMemoryError) {
                return new DecodeOutcome.Rejected(RejectReason.DECODE_OUT_OF_MEMORY, "decoding ran out of memory", null, null);
            }
            // the decoder answers bad input itself; anything thrown is a defect, still never fatal to the caller
            return new DecodeOutcome.Rejected(RejectReason.DECODER_FAILURE, "the decoder failed unexpectedly (" + cause + ")", null, null);
        }
    }

    /** Decodes given up since start (a metric). */
    public int overran() {
        return overran.get();
    }

    /** Decode threads running now, abandoned ones included (a metric). */
    public int running() {
        return pool.getActiveCount();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

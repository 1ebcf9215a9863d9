package org.echostream.ingest.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.echostream.contracts.Verdict;

/**
 * Imports DICOM files from folders (any names, walked recursively, links not followed) and from ZIP or tar(.gz)
 * archives named as roots (unpacked into a scratch folder first, {@link ArchiveExpander}), one by one through
 * the {@link Ingestor}: resumable (the ledger skips instances ingested by an earlier run), throttled, with
 * progress after every file. When Kafka or the spool refuses, the file is retried with backoff; if it still
 * cannot be made durable the import stops, and a later run resumes where this one stopped.
 */
public final class FolderImport {

    /** How an import ended. */
    public enum Ending { SUCCEEDED, FAILED, CANCELLED }

    /** The end of an import: the last progress, how it ended, and why when it did not succeed. */
    public record Summary(ImportProgress progress, Ending ending, String message) {
    }

    /** Receives progress after every file. */
    public interface ProgressListener {
        void onProgress(ImportProgress progress);
    }

    /**
     * @param retries  attempts after a refusal before the import stops
     * @param backoff  wait before the first retry, doubled for each next one
     */
    public record RetryPolicy(int retries, Duration backoff) {
    }

    private final Ingestor ingestor;
    private final Clock clock;
    private final Throttle throttle;
    private final RetryPolicy retry;
    private final Throttle.Sleeper sleeper;
    private final ArchiveExpander archives;

    /** Default archive bounds: 4 GiB per file, 64 GiB and 1,000,000 files per archive. */
    public static final ArchiveExpander.Limits ARCHIVE_LIMITS = new ArchiveExpander.Limits(4L << 30, 64L << 30, 1_000_000);

    public FolderImport(Ingestor ingestor, Clock clock, Throttle throttle, RetryPolicy retry, Throttle.Sleeper sleeper) {
        this(ingestor, clock, throttle, retry, sleeper, new ArchiveExpander(ARCHIVE_LIMITS));
    }

    public FolderImport(Ingestor ingestor, Clock clock, Throttle throttle, RetryPolicy retry, Throttle.Sleeper sleeper,
                        ArchiveExpander archives) {
        this.ingestor = ingestor;
        this.clock = clock;
        this.throttle = throttle;
        this.retry = retry;
        this.sleeper = sleeper;
        this.archives = archives;
    }

    public Summary run(List<Path> roots, Provenance provenance, ProgressListener listener, BooleanSupplier cancelled)
            throws InterruptedException {
        for (Path root : roots) {
            if (!Files.exists(root)) {
                Tally empty = new Tally(0, clock.instant());
                return new Summary(empty.snapshot(clock.instant()), Ending.FAILED, "no such file or folder: " + root);
            }
        }
        List<Path> scratch = new ArrayList<>();
        try {
            List<String> archiveFailures = new ArrayList<>();
            List<Path> folders = unpackArchives(roots, scratch, archiveFailures);
            Summary summary = importFolders(folders, provenance, listener, cancelled);
            if (summary.ending() == Ending.SUCCEEDED && !archiveFailures.isEmpty()) {
                return new Summary(summary.progress(), Ending.FAILED, String.join("; ", archiveFailures)
                        + " (the files before the fault and every other file were imported)");
            }
            return summary;
        } finally {
            scratch.forEach(FolderImport::deleteQuietly);
        }
    }

    /** Roots with every archive replaced by the scratch folder it was unpacked into (as far as it could be). */
    private List<Path> unpackArchives(List<Path> roots, List<Path> scratch, List<String> failures) {
        List<Path> folders = new ArrayList<>();
        for (Path root : roots) {
            if (!ArchiveExpander.isArchive(root)) {
                folders.add(root);
                continue;
            }
            try {
                Path into = Files.createTempDirectory("echostream-archive-");
                scratch.add(into);
                folders.add(into);
                archives.expand(root, into);
            } catch (IOException e) {
                failures.add(e instanceof ArchiveExpander.ArchiveException ? e.getMessage()
                        : "archive " + root.getFileName() + " could not be unpacked: " + e.getMessage());
            }
        }
        return folders;
    }

    private Summary importFolders(List<Path> roots, Provenance provenance, ProgressListener listener, BooleanSupplier cancelled)
            throws InterruptedException {
        long total = 0;
        for (Path root : roots) {
            total += count(root);
        }
        Tally tally = new Tally(total, clock.instant());
        listener.onProgress(tally.snapshot(clock.instant()));
        for (Path root : roots) {
            try (Stream<Path> files = walk(root)) {
                Iterator<Path> it = files.iterator();
                while (it.hasNext()) {
                    Path file = it.next();
                    if (cancelled.getAsBoolean()) {
                        return new Summary(tally.snapshot(clock.instant()), Ending.CANCELLED, "cancelled after " + tally.processed + " files");
                    }
                    throttle.acquire();
                    IngestResult result = withRetries(file, provenance);
                    if (result instanceof IngestResult.Refused refused) {
                        return new Summary(tally.snapshot(clock.instant()), Ending.FAILED, String.format(
                                "stopped after %d of %d files: %s (%s); run the import again to resume",
                                tally.processed, total, refused.refusal(), refused.detail()));
                    }
                    tally.add(result, sizeOf(file));
                    listener.onProgress(tally.snapshot(clock.instant()));
                }
            } catch (UncheckedIOException e) {
                return new Summary(tally.snapshot(clock.instant()), Ending.FAILED, "cannot walk " + root + ": " + e.getCause().getMessage());
            }
        }
        return new Summary(tally.snapshot(clock.instant()), Ending.SUCCEEDED, null);
    }

    private IngestResult withRetries(Path file, Provenance provenance) throws InterruptedException {
        IngestResult result = ingestor.ingestFile(file, provenance);
        Duration wait = retry.backoff();
        for (int attempt = 0; attempt < retry.retries() && result instanceof IngestResult.Refused; attempt++) {
            sleeper.sleep(wait);
            wait = wait.multipliedBy(2);
            result = ingestor.ingestFile(file, provenance);
        }
        return result;
    }

    private static long count(Path root) {
        try (Stream<Path> files = walk(root)) {
            return files.count();
        }
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root).filter(Files::isRegularFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // scratch in the temp folder; the OS cleans it eventually
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Counts as the import goes. */
    private static final class Tally {
        private final long total;
        private final Instant started;
        private long processed;
        private long ingested;
        private long clips;
        private long skipped;
        private long rejected;
        private long bytes;
        private final Map<String, Long> rejectedByReason = new HashMap<>();
        private final Map<String, Long> notScoredByReason = new HashMap<>();

        Tally(long total, Instant started) {
            this.total = total;
            this.started = started;
        }

        void add(IngestResult result, long size) {
            processed++;
            bytes += size;
            ProcessedInstance instance = null;
            if (result instanceof IngestResult.Published published) {
                instance = published.instance();
            } else if (result instanceof IngestResult.RejectedEarly early) {
                instance = early.instance();
            } else if (result instanceof IngestResult.AlreadyIngested) {
                skipped++;
            }
            if (instance == null) {
                return;
            }
            InstanceVerdict verdict = instance.verdict();
            if (verdict.verdict() == Verdict.REJECTED) {
                rejected++;
                rejectedByReason.merge(verdict.reasonCode(), 1L, Long::sum);
            } else {
                ingested++;
                if (verdict.verdict() == Verdict.CLIPS) {
                    clips++;
                } else {
                    notScoredByReason.merge(verdict.reasonCode(), 1L, Long::sum);
                }
            }
        }

        ImportProgress snapshot(Instant now) {
            double seconds = Duration.between(started, now).toNanos() / 1e9;
            Double rate = processed > 0 && seconds > 0 ? processed / seconds : null;
            Double eta = rate == null ? null : (total - processed) / rate;
            return new ImportProgress(total, processed, ingested, clips, skipped, rejected, rejectedByReason, notScoredByReason,
                    bytes, rate, eta);
        }
    }
}

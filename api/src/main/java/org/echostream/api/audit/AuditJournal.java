package org.echostream.api.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Makes an audit record durable before the response it describes may leave: committed to the audit topic
 * (acknowledged by the broker) within the commit timeout, or else written and fsynced to the local backlog
 * folder and sent later by {@link #drain()}. When neither worked the caller must withhold the response.
 *
 * <p>Delivery is at least once: a record that timed out may still reach the broker and then be sent again
 * from the backlog; readers tell the copies apart by {@code eventId} (the record's key).
 */
public final class AuditJournal {

    /** Sends one encoded record to the audit topic; the future completes when the broker acknowledged it. */
    @FunctionalInterface
    public interface Sink {
        CompletableFuture<Void> send(String eventId, byte[] value);
    }

    /** Where an audit record is now. */
    public sealed interface Durability {
        /** Acknowledged by the broker. */
        record Committed() implements Durability {
        }

        /** Fsynced to the local backlog; {@link #drain()} sends it once the broker answers. */
        record Queued(Path file, String why) implements Durability {
        }

        /** Neither on the broker nor on disk: the response must not be sent. */
        record Unrecorded(String reason) implements Durability {
        }
    }

    /**
     * @param backlogDir    the local backlog folder (created 0700, files 0600); empty: no backlog, refuse instead
     * @param maxBacklog    most records the backlog holds; beyond it a record is unrecorded
     * @param commitTimeout how long one record may wait for the broker before it goes to the backlog
     */
    public record Settings(Optional<Path> backlogDir, int maxBacklog, Duration commitTimeout) {
        public Settings {
            if (maxBacklog < 0) {
                throw new IllegalArgumentException("audit backlog size must be >= 0, got " + maxBacklog);
            }
        }
    }

    private static final String SUFFIX = ".audit";
    /** eventIds are generated UUIDs; anything else is not used as a file name. */
    private static final Pattern SAFE_EVENT_ID = Pattern.compile("[0-9A-Za-z-]{1,64}");

    private final Sink sink;
    private final Settings settings;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final Object backlogLock = new Object();

    public AuditJournal(Sink sink, Settings settings, Clock clock) {
        this.sink = sink;
        this.settings = settings;
        this.clock = clock;
        settings.backlogDir().ifPresent(AuditJournal::createPrivateDirectory);
    }

    /** Commits the record, or queues it on disk; never completes exceptionally. */
    public CompletableFuture<Durability> commit(String eventId, byte[] value) {
        CompletableFuture<Void> sent;
        try {
            sent = sink.send(eventId, value);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.orTimeout(settings.commitTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .<Durability>thenApply(v -> new Durability.Committed())
                .exceptionally(error -> queue(eventId, value, why(error)));
    }

    /** Records waiting in the backlog. */
    public int backlog() {
        return settings.backlogDir().map(dir -> backlogFiles(dir).size()).orElse(0);
    }

    /**
     * Sends the backlog oldest first, deleting each file once the broker acknowledged it; stops at the first
     * record the broker does not take (it is tried again next time).
     *
     * @return how many records were sent
     */
    public int drain() throws InterruptedException {
        if (settings.backlogDir().isEmpty()) {
            return 0;
        }
        int sent = 0;
        for (Path file : backlogFiles(settings.backlogDir().get())) {
            String eventId = eventIdOf(file);
            byte[] value;
            try {
                value = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("audit backlog " + file + ": cannot read: " + e.getMessage(), e);
            }
            try {
                sink.send(eventId, value).get(settings.commitTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                return sent;
            }
            try {
                Files.delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException("audit backlog " + file + ": sent but cannot delete: " + e.getMessage(), e);
            }
            sent++;
        }
        return sent;
    }

    private Durability queue(String eventId, byte[] value, String why) {
        if (settings.backlogDir().isEmpty()) {
            return new Durability.Unrecorded("audit topic did not acknowledge (" + why + ") and no local audit backlog is configured");
        }
        if (!SAFE_EVENT_ID.matcher(eventId).matches()) {
            return new Durability.Unrecorded("audit event id is not a plain id, not used as a backlog file name");
        }
        Path dir = settings.backlogDir().get();
        synchronized (backlogLock) {
            int waiting = backlogFiles(dir).size();
            if (waiting >= settings.maxBacklog()) {
                return new Durability.Unrecorded("audit topic did not acknowledge (" + why + ") and the audit backlog " + dir
                        + " is full (" + waiting + " of " + settings.maxBacklog() + " records)");
            }
            // Sortable by time, then by a sequence for records of the same millisecond.
            String name = String.format("%015d-%09d-%s", clock.millis(), sequence.incrementAndGet() % 1_000_000_000, eventId);
            Path file = dir.resolve(name + SUFFIX);
            Path partial = dir.resolve(name + ".partial");
            try {
                writeSynced(partial, value);
                try {
                    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, file);
                }
                syncDirectory(dir);
                return new Durability.Queued(file, why);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // the partial file is not a backlog record (wrong suffix): it is never sent
                }
                return new Durability.Unrecorded("audit topic did not acknowledge (" + why + ") and the audit backlog " + dir
                        + " cannot be written: " + e.getMessage());
            }
        }
    }

    private static void writeSynced(Path file, byte[] value) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** The new file's name is durable only once its directory is. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static List<Path> backlogFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("audit backlog " + dir + ": cannot list: " + e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }

    private static String eventIdOf(Path file) {
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.length() - SUFFIX.length());
        return stem.substring(stem.indexOf('-', stem.indexOf('-') + 1) + 1);
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("audit backlog " + dir + ": cannot create: " + e.getMessage(), e);
        }
    }

    private static String why(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return "no acknowledgement within the commit timeout";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}

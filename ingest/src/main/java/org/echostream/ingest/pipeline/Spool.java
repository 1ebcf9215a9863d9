package org.echostream.ingest.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

/**
 * The claim-check store for original DICOM files. A file is written under {@code incoming/} with a random
 * name, forced to disk, then moved to {@code <sha256[0:2]>/<sha256>.dcm}: names never come from attribute
 * values, identical content is kept once, and a file under its final name is always complete and durable.
 * The spool refuses new files while its disk has less than {@code minFreeBytes} free.
 */
public final class Spool {

    private static final String INCOMING = "incoming";
    /** Original DICOM is patient data: only the service's own user may list or read the spool. */
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final int COPY_BUFFER = 1 << 16;

    private final Path root;
    private final long minFreeBytes;

    public Spool(Path root, long minFreeBytes) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.minFreeBytes = minFreeBytes;
        Files.createDirectories(this.root.resolve(INCOMING), PRIVATE_DIR);
        Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwx------"));
    }

    public Path root() {
        return root;
    }

    /** Bytes free on the spool's file system. */
    public long freeBytes() throws IOException {
        return Files.getFileStore(root).getUsableSpace();
    }

    /** @throws SpoolFullException when fewer than minFreeBytes are free */
    public void checkSpace() throws SpoolFullException, IOException {
        long free = freeBytes();
        if (free < minFreeBytes) {
            throw new SpoolFullException(String.format("spool %s has %,d bytes free, less than the %,d it keeps free", root, free, minFreeBytes));
        }
    }

    /** Removes files left under incoming/ by a process that stopped while receiving: they were never acknowledged. */
    public int removeIncomplete() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(INCOMING))) {
            for (Path file : files) {
                Files.deleteIfExists(file);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Starts a new file.
     *
     * @param maxBytes the most bytes the file may take; writing more fails
     */
    public Incoming begin(long maxBytes) throws SpoolFullException, IOException {
        checkSpace();
        return new Incoming(root.resolve(INCOMING).resolve(UUID.randomUUID() + ".part"), maxBytes);
    }

    /** Copies a file into the spool (folder import). */
    public SpooledFile copyOf(Path source, long maxBytes) throws SpoolFullException, IOException {
        try (Incoming incoming = begin(maxBytes); InputStream in = Files.newInputStream(source)) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                incoming.write(buffer, 0, n);
            }
            return incoming.commit();
        }
    }

    /** Maps a spooled file read-only; the mapping needs no heap however large the file. */
    public static ByteBuffer map(SpooledFile file) throws IOException {
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
    }

    /** A file being written; {@link #close()} without {@link #commit()} deletes it. */
    public final class Incoming implements AutoCloseable {
        private final Path temp;
        private final long maxBytes;
        private final FileChannel channel;
        private final MessageDigest digest;
        private final OutputStream stream;
        private long size;
        private boolean done;

        private Incoming(Path temp, long maxBytes) throws IOException {
            this.temp = temp;
            this.maxBytes = maxBytes;
            this.channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PRIVATE_FILE);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
            }
            this.stream = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    Incoming.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Incoming.this.write(b, off, len);
                }
            };
        }

        public OutputStream stream() {
            return stream;
        }

        public long size() {
            return size;
        }

        /** @throws FileTooLargeException when the file would pass maxBytes */
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (size + length > maxBytes) {
                throw new FileTooLargeException(String.format("the instance passes %,d bytes, the most accepted", maxBytes));
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            digest.update(bytes, offset, length);
            size += length;
        }

        /** Forces the file to disk, gives it its content name and forces the directory entry too. */
        public SpooledFile commit() throws IOException {
            channel.force(true);
            channel.close();
            String sha = HexFormat.of().formatHex(digest.digest());
            Path dir = root.resolve(sha.substring(0, 2));
            Files.createDirectories(dir, PRIVATE_DIR);
            Path target = dir.resolve(sha + ".dcm");
            if (Files.exists(target)) {
                Files.delete(temp); // the same bytes are already kept
            } else {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target);
                }
                forceDirectory(dir);
            }
            done = true;
            return new SpooledFile(target, target.toUri().toString(), sha, size);
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                channel.close();
                Files.deleteIfExists(temp);
                done = true;
            }
        }
    }

    /** The instance is larger than the most accepted. */
    public static final class FileTooLargeException extends IOException {
        public FileTooLargeException(String message) {
            super(message);
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory for sync; the file itself is already forced
        }
    }
}

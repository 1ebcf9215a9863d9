package org.echostream.ingest.pipeline;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a ZIP or (gzipped) tar archive of DICOM files into a scratch folder, so an import treats its entries
 * like the files of a folder. Hospitals hand studies over as such archives (exports, CD images zipped).
 *
 * <p>Entry names are never used as paths: every entry becomes {@code <index>-<last name part, sanitised>} in
 * one flat folder, so names like {@code ../../etc/x} or absolute paths cannot write outside it. Sizes are
 * bounded while copying (an archive's own size fields are not trusted), so a zip bomb stops at the limit
 * with a reason instead of filling the disk.
 */
public final class ArchiveExpander {

    /** Bounds on what one archive may unpack to. */
    public record Limits(long maxEntryBytes, long maxTotalBytes, int maxEntries) {
    }

    /** Why an archive could not be unpacked; the message names the archive and the fact. */
    public static final class ArchiveException extends IOException {
        ArchiveException(String message) {
            super(message);
        }
    }

    private static final int TAR_BLOCK = 512;

    private final Limits limits;

    public ArchiveExpander(Limits limits) {
        this.limits = limits;
    }

    /** Whether the file's name says it is an archive this class unpacks. */
    public static boolean isArchive(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file)
                && (name.endsWith(".zip") || name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz"));
    }

    /** Unpacks {@code archive} into the (new or empty) folder {@code into}; returns the number of files written. */
    public int expand(Path archive, Path into) throws IOException {
        Files.createDirectories(into);
        String name = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
            if (name.endsWith(".zip")) {
                return expandZip(archive, in, into);
            }
            InputStream tar = name.endsWith(".tar") ? in : new GZIPInputStream(in, 64 * 1024);
            return expandTar(archive, tar, into);
        } catch (java.util.zip.ZipException e) {
            throw new ArchiveException("archive " + archive.getFileName() + " is corrupt: " + e.getMessage());
        }
    }

    private int expandZip(Path archive, InputStream in, Path into) throws IOException {
        int written = 0;
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                checkCount(archive, written);
                total += copy(archive, written, zip, Long.MAX_VALUE, into.resolve(flatName(written, entry.getName())), total);
                written++;
            }
        }
        return written;
    }

    private int expandTar(Path archive, InputStream in, Path into) throws IOException {
        int written = 0;
        long total = 0;
        byte[] header = new byte[TAR_BLOCK];
        String longName = null;
        while (true) {
            if (!readFully(in, header)) {
                return written;                       // a tar may end without its two zero blocks
            }
            if (isZero(header)) {
                return written;
            }
            String entryName = longName != null ? longName : cString(header, 0, 100);
            longName = null;
            long size = tarSize(archive, header);
            char type = (char) header[156];
            long padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
            if (type == 'L') {                        // GNU long name: the next entry's name is this entry's data
                if (size > 64 * 1024) {
                    throw new ArchiveException("archive " + archive.getFileName() + ": long name of " + size + " bytes");
                }
                byte[] data = in.readNBytes((int) padded);
                longName = cString(data, 0, (int) Math.min(size, data.length));
                continue;
            }
            if (type == '0' || type == '\0' || type == '7') {
                checkCount(archive, written);
                total += copy(archive, written, in, size, into.resolve(flatName(written, entryName)), total);
                written++;
                skip(archive, in, padded - size);
            } else {
                skip(archive, in, padded);            // folders, links, pax headers: nothing to import
            }
        }
    }

    /** Entry names may hold patient names: messages name the entry by its index only. */
    private long copy(Path archive, int index, InputStream in, long length, Path target, long totalSoFar) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            while (copied < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
                if (n < 0) {
                    if (length == Long.MAX_VALUE) {
                        break;                        // zip: the entry ends where its stream ends
                    }
                    throw new ArchiveException("archive " + archive.getFileName() + " is truncated inside entry #" + index);
                }
                copied += n;
                if (copied > limits.maxEntryBytes()) {
                    throw new ArchiveException("archive " + archive.getFileName() + ": entry #" + index
                            + " is larger than the " + limits.maxEntryBytes() + "-byte limit per file");
                }
                if (totalSoFar + copied > limits.maxTotalBytes()) {
                    throw new ArchiveException("archive " + archive.getFileName() + " unpacks to more than the "
                            + limits.maxTotalBytes() + "-byte limit per archive");
                }
                out.write(buffer, 0, n);
            }
        }
        return copied;
    }

    private void checkCount(Path archive, int written) throws ArchiveException {
        if (written >= limits.maxEntries()) {
            throw new ArchiveException("archive " + archive.getFileName() + " holds more than " + limits.maxEntries() + " files");
        }
    }

    static String flatName(int index, String entryName) {
        String last = entryName.replace('\\', '/');
        last = last.substring(last.lastIndexOf('/') + 1);
        String safe = last.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            safe = "entry";
        }
        return String.format("%06d-%s", index, safe.length() > 100 ? safe.substring(0, 100) : safe);
    }

    private static long tarSize(Path archive, byte[] header) throws ArchiveException {
        if ((header[124] & 0x80) != 0) {              // base-256 (GNU) for sizes of 8 GiB and more
            long size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (header[i] & 0xff);
            }
            return size;
        }
        String octal = cString(header, 124, 12).trim();
        try {
            return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        } catch (NumberFormatException e) {
            throw new ArchiveException("archive " + archive.getFileName() + " is not a tar file (entry size field is not octal)");
        }
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean readFully(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, block.length);
        if (n > 0 && n < block.length) {
            throw new ArchiveException("tar archive is truncated inside an entry header");
        }
        return n == block.length;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void skip(Path archive, InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new ArchiveException("archive " + archive.getFileName() + " is truncated");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}

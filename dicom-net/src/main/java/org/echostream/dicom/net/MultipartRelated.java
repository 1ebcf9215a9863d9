package org.echostream.dicom.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes and reads {@code multipart/related} bodies (RFC 2387: STOW-RS requests, WADO-RS answers), the one codec of
 * DICOMweb for every service. Reading goes part by part as the body streams
 * in: a part's bytes are handed on as they arrive, never held whole, so a part of hundreds of megabytes costs one
 * buffer. Headers are bounded; the number of parts is bounded; anything that is not well formed is a
 * {@link MalformedException} naming what was wrong.
 */
public final class MultipartRelated {

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_BOUNDARY = 70; // RFC 2046

    /** Receives each part; must read its body (what it leaves unread is skipped). */
    @FunctionalInterface
    public interface PartHandler {
        void part(int index, Map<String, String> headers, InputStream body) throws IOException;
    }

    /** The body is not a well-formed multipart/related entity. */
    public static final class MalformedException extends IOException {
        public MalformedException(String message) {
            super(message);
        }
    }

    private MultipartRelated() {
    }

    /**
     * A whole body of {@code parts}, each with the one header {@code Content-Type: partType} (STOW-RS sends
     * {@code application/dicom}); the caller names the boundary in the request's Content-Type.
     */
    public static byte[] write(String boundary, String partType, List<byte[]> parts) {
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw new IllegalArgumentException("a multipart boundary has 1 to " + MAX_BOUNDARY + " characters, got " + boundary.length());
        }
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: " + partType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(part);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /**
     * The boundary parameter of a Content-Type such as {@code multipart/related; type="application/dicom"; boundary=xyz}.
     *
     * @throws MalformedException when the type is not multipart/related or has no usable boundary
     */
    public static String boundary(String contentType) throws MalformedException {
        Map<String, String> params = parameters(contentType);
        if (!"multipart/related".equals(params.get(""))) {
            throw new MalformedException("Content-Type is '" + printable(contentType) + "', not multipart/related");
        }
        String boundary = params.get("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw new MalformedException("multipart/related without a boundary of 1 to " + MAX_BOUNDARY + " characters");
        }
        return boundary;
    }

    /** The media type (key "", lower case) and parameters (keys lower case, values unquoted) of a Content-Type. */
    public static Map<String, String> parameters(String contentType) {
        Map<String, String> out = new LinkedHashMap<>();
        if (contentType == null) {
            return out;
        }
        String[] pieces = splitOutsideQuotes(contentType);
        out.put("", pieces[0].trim().toLowerCase(Locale.ROOT));
        for (int i = 1; i < pieces.length; i++) {
            int eq = pieces[i].indexOf('=');
            if (eq > 0) {
                String value = pieces[i].substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                out.put(pieces[i].substring(0, eq).trim().toLowerCase(Locale.ROOT), value);
            }
        }
        return out;
    }

    /**
     * Reads every part. The preamble before the first boundary and the epilogue after the last are ignored.
     *
     * @return the number of parts read
     * @throws MalformedException when a boundary, a header block or the final boundary is missing or too large
     */
    public static int read(InputStream in, String boundary, int maxParts, PartHandler handler) throws IOException {
        Reader reader = new Reader(in, ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII));
        if (!reader.skipToDelimiter()) {
            throw new MalformedException("the body has no boundary line '--" + printable(boundary) + "'");
        }
        int parts = 0;
        while (true) {
            String after = reader.readLineEnd();
            if (after.startsWith("--")) {
                return parts;
            }
            if (parts == maxParts) {
                throw new MalformedException("more than " + maxParts + " parts in one body");
            }
            Map<String, String> headers = reader.headers();
            PartStream body = new PartStream(reader);
            handler.part(parts, headers, body);
            body.skipRest();
            if (!body.ended) {
                throw new MalformedException("part " + parts + " is not followed by a boundary: the body ends inside it");
            }
            parts++;
        }
    }

    /** Buffered reading with a search for the delimiter ("CRLF--boundary"). */
    private static final class Reader {
        private final InputStream in;
        private final byte[] delimiter;
        private final byte[] buf = new byte[BUFFER + 256];
        private int start;
        private int end;
        private boolean eof;
        private boolean first = true;

        Reader(InputStream in, byte[] delimiter) {
            this.in = in;
            this.delimiter = delimiter;
        }

        /** Fills the buffer so that at least {@code wanted} bytes are available, unless the stream ends. */
        private void fill(int wanted) throws IOException {
            if (end - start >= wanted || eof) {
                return;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (first) {
                // the first boundary may open the body without the CRLF that precedes every other one
                System.arraycopy(buf, 0, buf, 2, end);
                buf[0] = '\r';
                buf[1] = '\n';
                end += 2;
                first = false;
            }
            while (end - start < wanted && end < buf.length) {
                int n = in.read(buf, end, buf.length - end);
                if (n < 0) {
                    eof = true;
                    return;
                }
                end += n;
            }
        }

        /** Skips the preamble up to and including the first delimiter; false when there is none. */
        boolean skipToDelimiter() throws IOException {
            while (true) {
                fill(buf.length);
                int at = indexOf(start, end);
                if (at >= 0) {
                    start = at + delimiter.length;
                    return true;
                }
                if (eof) {
                    return false;
                }
                start = Math.max(start, end - delimiter.length + 1);
            }
        }

        /** After a delimiter: "--" (the last one) or transport padding and CRLF. */
        String readLineEnd() throws IOException {
            fill(2);
            if (end - start >= 2 && buf[start] == '-' && buf[start + 1] == '-') {
                start += 2;
                return "--";
            }
            String line = line();
            if (!line.isBlank()) {
                throw new MalformedException("unexpected text after a boundary");
            }
            return "";
        }

        Map<String, String> headers() throws IOException {
            Map<String, String> headers = new LinkedHashMap<>();
            int total = 0;
            while (true) {
                String line = line();
                total += line.length() + 2;
                if (total > MAX_HEADER_BYTES) {
                    throw new MalformedException("part headers longer than " + MAX_HEADER_BYTES + " bytes");
                }
                if (line.isEmpty()) {
                    return headers;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                fill(1);
                if (start == end) {
                    throw new MalformedException("the body ends inside a part's headers");
                }
                byte b = buf[start++];
                if (b == '\n') {
                    int len = sb.length();
                    return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
                }
                if (sb.length() > MAX_HEADER_BYTES) {
                    throw new MalformedException("a header line longer than " + MAX_HEADER_BYTES + " bytes");
                }
                sb.append((char) (b & 0xFF));
            }
        }

        int indexOf(int from, int to) {
            outer:
            for (int i = from; i <= to - delimiter.length; i++) {
                for (int j = 0; j < delimiter.length; j++) {
                    if (buf[i + j] != delimiter[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** One part's body: the bytes up to the next delimiter. */
    private static final class PartStream extends InputStream {
        private final Reader r;
        boolean ended;

        PartStream(Reader r) {
            this.r = r;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            r.fill(r.delimiter.length + 1);
            int at = r.indexOf(r.start, r.end);
            if (at == r.start) {
                r.start += r.delimiter.length;
                ended = true;
                return -1;
            }
            int safe;
            if (at >= 0) {
                safe = at - r.start;
            } else if (r.eof) {
                if (r.end == r.start) {
                    return -1; // the body ended without the closing delimiter; read() reports it
                }
                safe = r.end - r.start;
            } else {
                safe = Math.max(1, r.end - r.start - r.delimiter.length + 1);
                if (r.end - r.start < r.delimiter.length) {
                    r.fill(r.buf.length);
                    return read(b, off, len);
                }
            }
            int n = Math.min(len, safe);
            System.arraycopy(r.buf, r.start, b, off, n);
            r.start += n;
            return n;
        }

        void skipRest() throws IOException {
            byte[] sink = new byte[8192];
            while (read(sink, 0, sink.length) >= 0) {
                // drain what the handler left
            }
        }
    }

    private static String[] splitOutsideQuotes(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}

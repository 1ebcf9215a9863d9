package org.echostream.findings.report;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * UIDs derived from names, so the same study and result version always give the same SR and KOS UIDs: a resend
 * after a crash stores the same instance again at the PACS instead of a duplicate. The form is ISO/IEC 9834-8
 * ({@code 2.25.} and the UUID as one unsigned decimal integer, at most 44 characters) with a name-based
 * (SHA-1, version 5) UUID in echostream's own namespace.
 */
public final class DerivedUids {

    /** echostream's UUID namespace for derived DICOM UIDs (a random UUID, fixed forever: changing it changes every UID). */
    private static final UUID NAMESPACE = UUID.fromString("6f1d4b0e-8c5a-4f57-9a43-2e7c0d9b6a15");

    private DerivedUids() {
    }

    public static String srSeries(String studyInstanceUid) {
        return of("sr-series", studyInstanceUid);
    }

    public static String kosSeries(String studyInstanceUid) {
        return of("kos-series", studyInstanceUid);
    }

    public static String srInstance(String studyInstanceUid, String resultVersion) {
        return of("sr", studyInstanceUid, resultVersion);
    }

    public static String kosInstance(String studyInstanceUid, String resultVersion) {
        return of("kos", studyInstanceUid, resultVersion);
    }

    /** Tracking Unique Identifier of one series' finding: stable across result versions, so a viewer can follow it. */
    public static String finding(String seriesInstanceUid) {
        return of("finding", seriesInstanceUid);
    }

    /** The device observer UID of an installation named {@code name}, when none is configured. */
    public static String device(String name) {
        return of("device", name);
    }

    static String of(String... parts) {
        return "2.25." + new BigInteger(1, toBytes(nameUuid(String.join("\u0000", parts))));
    }

    private static UUID nameUuid(String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(NAMESPACE));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
            ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java runtime", e);
        }
    }

    private static byte[] toBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
    }
}

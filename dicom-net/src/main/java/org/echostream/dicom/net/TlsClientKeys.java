package org.echostream.dicom.net;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The configuration keys of a DICOM TLS requestor (an SCU towards one peer), declared once for every service: a
 * service's configuration group for a DICOM destination extends this interface, so the keys, their meaning and
 * how they become {@link DicomTls.Settings} are the same everywhere ({@code tls-trust-file}, {@code
 * tls-certificate-file}, {@code tls-key-file}). Plain Java: a SmallRye {@code @ConfigMapping} maps inherited methods.
 */
public interface TlsClientKeys {

    /**
     * PEM certificates of the CAs that sign the peer's certificate. Setting it turns DICOM TLS on for this peer (its
     * port is then its TLS port), and the peer's certificate must also name the host we connect to (RFC 6125);
     * absent: plain TCP.
     */
    Optional<String> tlsTrustFile();

    /** PEM certificate we present when the peer asks for one (its subject CN is usually our AE title); absent: none. */
    Optional<String> tlsCertificateFile();

    /** PEM private key of {@link #tlsCertificateFile()} (PKCS#8, or PKCS#1 for RSA), unencrypted. */
    Optional<String> tlsKeyFile();

    /** The DICOM TLS settings (BCP 195 protocols and suites) when a trust file is set, else null: plain TCP. */
    default DicomTls.Settings tlsSettings() {
        return tlsTrustFile().map(trust -> DicomTls.Settings.client(Path.of(trust), tlsCertificateFile().map(Path::of).orElse(null),
                tlsKeyFile().map(Path::of).orElse(null))).orElse(null);
    }
}

package org.echostream.dicom.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * DICOM TLS (PS3.15 Annex B, the BCP 195 profile of B.9): TLS 1.2 and 1.3 only, AEAD cipher suites with forward
 * secrecy only, certificates and keys read from PEM files (what a Kubernetes TLS secret mounts). One instance is
 * either side: {@link #serverSockets()} for an SCP port, {@link #sockets()} for an SCU.
 */
public final class DicomTls {

    /** BCP 195 (RFC 9325): nothing older than TLS 1.2. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** BCP 195 (RFC 9325 4.2): TLS 1.3's suites, and for TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Whether (and how) the SCP asks the peer for a certificate. */
    public enum ClientAuthentication {
        /** No client certificate is asked for; the AE allow-list alone decides. */
        NONE,
        /**
         * A certificate the trusted CAs signed is required, and the calling AE title must be its subject's common name:
         * an AE title on the allow-list can then be used only by the holder of that AE's certificate.
         */
        REQUIRED
    }

    /**
     * @param certificateFile PEM certificate chain, ours first; null for a client without a certificate of its own
     * @param keyFile         PEM private key of the first certificate (PKCS#8, or PKCS#1 for RSA); null with the certificate
     * @param trustFile       PEM certificates of the CAs we trust for the peer's certificate; null: the JDK's default CAs
     * @param protocols       enabled protocols, a subset of {@link #PROTOCOLS}
     * @param cipherSuites    enabled cipher suites, a subset of {@link #CIPHER_SUITES}
     * @param clientAuthentication for an SCP: whether peers must present a certificate (an SCU ignores it)
     * @param verifyHostname  for an SCU: whether the peer's certificate must name the host we connect to (RFC 6125)
     */
    public record Settings(Path certificateFile, Path keyFile, Path trustFile, List<String> protocols, List<String> cipherSuites,
                           ClientAuthentication clientAuthentication, boolean verifyHostname) {
        public Settings {
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
            for (String p : protocols) {
                if (!PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException("DICOM TLS protocol " + p + " is not allowed (BCP 195): use " + PROTOCOLS);
                }
            }
            for (String c : cipherSuites) {
                if (!CIPHER_SUITES.contains(c)) {
                    throw new IllegalArgumentException("DICOM TLS cipher suite " + c + " is not allowed (BCP 195): use some of " + CIPHER_SUITES);
                }
            }
            if (protocols.isEmpty() || cipherSuites.isEmpty()) {
                throw new IllegalArgumentException("DICOM TLS needs at least one protocol and one cipher suite");
            }
            if ((certificateFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("DICOM TLS: a certificate file needs its key file and the other way round (certificate "
                        + certificateFile + ", key " + keyFile + ")");
            }
            if (clientAuthentication == ClientAuthentication.REQUIRED && trustFile == null) {
                throw new IllegalArgumentException("DICOM TLS client authentication needs the trust file of the CA that signs the clients' certificates");
            }
        }

        /** An SCP's identity, the BCP 195 defaults. */
        public static Settings server(Path certificateFile, Path keyFile, Path trustFile, ClientAuthentication clientAuthentication) {
            return new Settings(certificateFile, keyFile, trustFile, PROTOCOLS, CIPHER_SUITES, clientAuthentication, false);
        }

        /** An SCU trusting {@code trustFile}'s CAs, with a certificate of its own when the peer asks for one. */
        public static Settings client(Path trustFile, Path certificateFile, Path keyFile) {
            return new Settings(certificateFile, keyFile, trustFile, PROTOCOLS, CIPHER_SUITES, ClientAuthentication.NONE, true);
        }
    }

    private final Settings settings;
    private final SSLContext context;

    private DicomTls(Settings settings, SSLContext context) {
        this.settings = settings;
        this.context = context;
    }

    /**
     * Reads the PEM files and builds the TLS context.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static DicomTls of(Settings settings) throws IOException {
        try {
            KeyManagerFactory keys = null;
            if (settings.certificateFile() != null) {
                List<X509Certificate> chain = certificates(settings.certificateFile());
                PrivateKey key = privateKey(settings.keyFile());
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("dicom", key, new char[0], chain.toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.trustFile() != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(settings.trustFile())) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                trust.init(store);
            } else {
                trust.init((KeyStore) null);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return new DicomTls(settings, context);
        } catch (GeneralSecurityException e) {
            throw new IOException("DICOM TLS: cannot use certificate " + settings.certificateFile() + " with key " + settings.keyFile() + ": "
                    + e.getMessage(), e);
        }
    }

    public Settings settings() {
        return settings;
    }

    /** For an SCP port: server sockets that speak only the allowed protocols and suites, asking for client certificates if so set. */
    public ServerSocketFactory serverSockets() {
        ServerSocketFactory inner = context.getServerSocketFactory();
        return new ServerSocketFactory() {
            @Override
            public java.net.ServerSocket createServerSocket() throws IOException {
                return configure((SSLServerSocket) inner.createServerSocket());
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port) throws IOException {
                return configure((SSLServerSocket) inner.createServerSocket(port));
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
                return configure((SSLServerSocket) inner.createServerSocket(port, backlog));
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                return configure((SSLServerSocket) inner.createServerSocket(port, backlog, address));
            }
        };
    }

    private SSLServerSocket configure(SSLServerSocket s) throws IOException {
        s.setEnabledProtocols(supported(settings.protocols(), s.getSupportedProtocols(), "protocol"));
        s.setEnabledCipherSuites(supported(settings.cipherSuites(), s.getSupportedCipherSuites(), "cipher suite"));
        s.setNeedClientAuth(settings.clientAuthentication() == ClientAuthentication.REQUIRED);
        return s;
    }

    /** For an SCU: sockets that speak only the allowed protocols and suites and check the peer's host name if so set. */
    public SocketFactory sockets() {
        SSLSocketFactory inner = context.getSocketFactory();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return configure((SSLSocket) inner.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return configure((SSLSocket) inner.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return configure((SSLSocket) inner.createSocket(host, port, local, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return configure((SSLSocket) inner.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
                return configure((SSLSocket) inner.createSocket(address, port, local, localPort));
            }
        };
    }

    private SSLSocket configure(SSLSocket s) throws IOException {
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(supported(settings.protocols(), s.getSupportedProtocols(), "protocol"));
        p.setCipherSuites(supported(settings.cipherSuites(), s.getSupportedCipherSuites(), "cipher suite"));
        if (settings.verifyHostname()) {
            p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 6125 name checks, as HTTPS does
        }
        s.setSSLParameters(p);
        return s;
    }

    private static String[] supported(List<String> wanted, String[] supported, String what) throws IOException {
        Set<String> available = Set.of(supported);
        String[] both = wanted.stream().filter(available::contains).toArray(String[]::new);
        if (both.length == 0) {
            throw new IOException("DICOM TLS: this JVM supports none of the " + what + "s " + wanted);
        }
        return both;
    }

    /** The subject common name of the peer's verified certificate, or null when the peer presented none. */
    public static String peerCommonName(SSLSocket socket) {
        try {
            Certificate[] chain = socket.getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
                return null;
            }
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
            return null;
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null;
        }
    }

    // ---- PEM ------------------------------------------------------------------------------------------------

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] bytes = read(file, "certificate");
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException("DICOM TLS: " + file + " holds no PEM certificate");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException("DICOM TLS: " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path file) throws IOException {
        String text = new String(read(file, "private key"), StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der, file);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(rsaPkcs1ToPkcs8(der), file); // what cert-manager writes for RSA keys by default
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException("DICOM TLS: the key in " + file
                        + " is encrypted: mount it unencrypted (the secret protects it), e.g. openssl pkcs8 -topk8 -nocrypt");
                case "EC PRIVATE KEY" -> throw new IOException("DICOM TLS: the EC key in " + file
                        + " is in SEC1 form: convert it with openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
                default -> {
                    // parameters or other blocks before the key
                }
            }
        }
        throw new IOException("DICOM TLS: " + file + " holds no PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("DICOM TLS: the private key in " + file + " is neither RSA, EC nor Ed25519");
    }

    /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: version 0, algorithm rsaEncryption with NULL parameters. */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        byte[] b = java.math.BigInteger.valueOf(length).toByteArray();
        int skip = b[0] == 0 ? 1 : 0;
        byte[] out = new byte[b.length - skip + 1];
        out[0] = (byte) (0x80 | (b.length - skip));
        System.arraycopy(b, skip, out, 1, b.length - skip);
        return out;
    }

    private static byte[] read(Path file, String what) throws IOException {
        if (file == null || !Files.isReadable(file)) {
            throw new IOException("DICOM TLS: the " + what + " file " + file + " does not exist or cannot be read");
        }
        return Files.readAllBytes(file);
    }

    @Override
    public String toString() {
        return "DicomTls" + Arrays.asList(settings.protocols()) + " client authentication " + settings.clientAuthentication();
    }
}

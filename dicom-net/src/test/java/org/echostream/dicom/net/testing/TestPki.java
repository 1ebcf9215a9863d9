package org.echostream.dicom.net.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the real {@code openssl} in a temporary folder, for DICOM TLS tests on
 * both sides (our SCP and SCU, dcmtk, Orthanc): a CA, and leaf certificates signed by it whose subject CN is an AE
 * title and which name 127.0.0.1 and localhost, valid for a day. Keys are unencrypted PEM (PKCS#8), as a Kubernetes
 * secret mounts them.
 */
public final class TestPki {

    /** One certificate and its key, as PEM files. */
    public record Identity(Path certificate, Path key) {
    }

    private final Path dir;
    private final Path caCertificate;
    private final Path caKey;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caCertificate = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA in {@code dir}. */
    public static TestPki create(Path dir) throws IOException {
        TestPki pki = new TestPki(dir);
        pki.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.caKey.toString(), "-out", pki.caCertificate.toString(),
                "-subj", "/CN=echostream test CA", "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return pki;
    }

    /** The CA certificate peers trust. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** A certificate for {@code commonName} (an AE title), signed by this CA, usable as server and as client. */
    public Identity issue(String commonName) throws IOException {
        return issue(commonName, caCertificate, caKey);
    }

    /** A self-signed certificate for {@code commonName}, which no peer trusting this CA accepts. */
    public Identity selfSigned(String commonName) throws IOException {
        Path crt = dir.resolve(commonName + "-self.crt");
        Path key = dir.resolve(commonName + "-self.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", crt.toString(), "-subj", "/CN=" + commonName,
                "-days", "1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        return new Identity(crt, key);
    }

    private Identity issue(String commonName, Path ca, Path caKey) throws IOException {
        Path key = dir.resolve(commonName + ".key");
        Path csr = dir.resolve(commonName + ".csr");
        Path crt = dir.resolve(commonName + ".crt");
        Path ext = dir.resolve(commonName + ".ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n", StandardCharsets.US_ASCII);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(), "-CAcreateserial",
                "-out", crt.toString(), "-days", "1", "-extfile", ext.toString());
        return new Identity(crt, key);
    }

    /** The same RSA key in PKCS#1 form (BEGIN RSA PRIVATE KEY), as some certificate tools write it. */
    public Path pkcs1(Path key) throws IOException {
        Path out = dir.resolve(key.getFileName() + ".pkcs1");
        openssl("rsa", "-in", key.toString(), "-traditional", "-out", out.toString());
        return out;
    }

    private void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while openssl ran", e);
        }
    }
}

package org.echostream.ingest.testing;

import org.echostream.dicom.net.testing.Dcmtk;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged ingest application (target/quarkus-app/quarkus-run.jar, built by the package phase before
 * failsafe runs) as a child process, as bin/echostream runs it: serving, or running a command.
 */
public final class PackagedIngest implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();

    private final Process process;
    public final int httpPort;
    public final int scpPort;
    public final Path log;

    private PackagedIngest(Process process, int httpPort, int scpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.scpPort = scpPort;
        this.log = log;
    }

    /** Starts the service and waits until it reports ready. */
    public static PackagedIngest serve(String bootstrap, Path dir, Map<String, String> properties) throws Exception {
        int http = Peers.freePort();
        int scp = Peers.freePort();
        Path log = dir.resolve("ingest.log");
        List<String> command = command(bootstrap, dir, properties);
        command.add(2, "-Dquarkus.http.port=" + http);
        command.add(2, "-Dechostream.scp.port=" + scp);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedIngest ingest = new PackagedIngest(p, http, scp, log);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return ingest;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        ingest.close();
        throw new IllegalStateException("the packaged ingest service did not become ready:\n" + Files.readString(log));
    }

    /** Runs a command ({@code ingest} or {@code inspect}) to its end: exit code, stdout, stderr. */
    public static Dcmtk.Result[] run(String bootstrap, Path dir, Map<String, String> properties, List<String> args) throws Exception {
        List<String> command = command(bootstrap, dir, properties);
        command.addAll(args);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("command " + args + " did not finish in 180 s");
        }
        return new Dcmtk.Result[] {new Dcmtk.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8)),
                new Dcmtk.Result(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8))};
    }

    private static List<String> command(String bootstrap, Path dir, Map<String, String> properties) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-Dkafka.bootstrap.servers=" + bootstrap, "-Dquarkus.log.console.json.enabled=false",
                "-Dechostream.spool.dir=" + dir.resolve("spool"), "-Dechostream.scp.bind-address=127.0.0.1",
                "-Dechostream.stow.auth.credentials-file=" + credentialsFile(dir)));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toString());
        return command;
    }

    /** The local users file the service reads (or generates) for STOW-RS sign-in, beside its spool. */
    public static Path credentialsFile(Path dir) {
        return dir.resolve("api-credentials.properties");
    }

    /** A local user's password from that file, as an operator would read it. */
    public static String password(Path dir, String user) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(credentialsFile(dir))) {
            p.load(in);
        }
        return java.util.Objects.requireNonNull(p.getProperty(user + ".password"), user + " is not in " + credentialsFile(dir));
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: a crash, nothing shut down cleanly. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: Quarkus shuts down cleanly
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

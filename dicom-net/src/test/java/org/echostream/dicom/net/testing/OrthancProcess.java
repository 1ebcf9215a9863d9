package org.echostream.dicom.net.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Orthanc (Debian's) as a child process for the DICOM tests of every service: its own storage in a folder,
 * HTTP and DICOM on free loopback ports, what else the test needs as JSON members; it is ready when its REST API
 * answers. The services wrap it with the REST calls they need (upload, find, modality registration).
 */
public final class OrthancProcess implements AutoCloseable {

    /** Answers whether Orthanc's REST API on this port is up (with whatever authentication the configuration set). */
    @FunctionalInterface
    public interface Probe {
        boolean answers(int httpPort) throws IOException, InterruptedException;
    }

    public static final String AE_TITLE = "ORTHANC";

    public final int httpPort;
    public final int dicomPort;
    private final Process process;
    private final Path dir;

    private OrthancProcess(Process process, Path dir, int httpPort, int dicomPort) {
        this.process = process;
        this.dir = dir;
        this.httpPort = httpPort;
        this.dicomPort = dicomPort;
    }

    /**
     * @param dicomServer whether Orthanc listens for DICOM (as AE {@link #AE_TITLE} on {@link #dicomPort})
     * @param members     further top-level JSON members, each followed by a comma (authentication, plugins, DicomTls*, ...)
     */
    public static OrthancProcess start(Path dir, String name, boolean dicomServer, String members, Probe ready)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int httpPort = freePort();
        int dicomPort = freePort();
        Path config = dir.resolve("orthanc.json");
        Files.writeString(config, """
                {
                  "Name": "%s",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  %s
                  "DicomServerEnabled": %b,
                  "DicomAet": "%s",
                  "DicomPort": %d
                }
                """.formatted(name, dir.resolve("storage"), dir.resolve("index"), httpPort, members, dicomServer, AE_TITLE, dicomPort));
        Process p = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        OrthancProcess orthanc = new OrthancProcess(p, dir, httpPort, dicomPort);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (ready.answers(httpPort)) {
                    return orthanc;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroyForcibly();
                throw new IllegalStateException("Orthanc did not start: " + Files.readString(orthanc.log()));
            }
            Thread.sleep(300);
        }
    }

    public Path log() {
        return dir.resolve("orthanc.log");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

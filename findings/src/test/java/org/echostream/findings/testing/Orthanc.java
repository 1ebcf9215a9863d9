package org.echostream.findings.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hospital PACS for the tests: a real Orthanc (Debian package) as a child process with its DICOM server
 * (C-STORE SCP) and the DICOMweb plugin (STOW-RS) on free ports. HTTP answers loopback only.
 */
public final class Orthanc implements AutoCloseable {

    public static final String AE_TITLE = "ORTHANC";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final int httpPort;
    private final int dicomPort;

    private Orthanc(Process process, Path dir, int httpPort, int dicomPort) {
        this.process = process;
        this.dir = dir;
        this.httpPort = httpPort;
        this.dicomPort = dicomPort;
    }

    public static Orthanc start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** @param moreConfig further top-level JSON members, each followed by a comma (e.g. {@code "DicomCheckCalledAet": true,}) */
    public static Orthanc start(Path dir, String moreConfig) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int httpPort = freePort();
        int dicomPort = freePort();
        Path config = dir.resolve("orthanc.json");
        Files.writeString(config, """
                {
                  "Name": "echostream-findings-test",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "DicomServerEnabled": true,
                  "DicomAet": "%s",
                  "DicomPort": %d,
                  "DicomAlwaysAllowStore": true,
                  %s
                  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
                  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
                }
                """.formatted(dir.resolve("storage"), dir.resolve("index"), httpPort, AE_TITLE, dicomPort, moreConfig));
        Process p = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        Orthanc orthanc = new Orthanc(p, dir, httpPort, dicomPort);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                orthanc.get("/system");
                return orthanc;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new IllegalStateException("Orthanc did not start: " + Files.readString(dir.resolve("orthanc.log")));
                }
                Thread.sleep(300);
            }
        }
    }

    public int dicomPort() {
        return dicomPort;
    }

    /** The DICOMweb service root (STOW-RS posts to {@code <root>/studies}). */
    public URI dicomWebRoot() {
        return uri("/dicom-web");
    }

    /** SOP Instance UIDs of every instance Orthanc holds for the study, in no particular order. */
    public List<String> sopInstanceUids(String studyInstanceUid) throws IOException, InterruptedException {
        JsonNode found = post("/tools/find", """
                {"Level": "Instance", "Expand": true, "Query": {"StudyInstanceUID": "%s"}}""".formatted(studyInstanceUid));
        List<String> uids = new ArrayList<>();
        found.forEach(i -> uids.add(i.get("MainDicomTags").get("SOPInstanceUID").asText()));
        return uids;
    }

    /** The stored file of one instance, byte for byte. */
    public byte[] file(String sopInstanceUid) throws IOException, InterruptedException {
        return http().send(HttpRequest.newBuilder(uri("/instances/" + orthancId(sopInstanceUid) + "/file")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /** Orthanc's JSON reading of one instance's tags ({@code /tags?simplify}: keyword to value, sequences as arrays). */
    public JsonNode tags(String sopInstanceUid) throws IOException, InterruptedException {
        return JSON.readTree(get("/instances/" + orthancId(sopInstanceUid) + "/tags?simplify"));
    }

    private String orthancId(String sopInstanceUid) throws IOException, InterruptedException {
        HttpResponse<String> r = http().send(HttpRequest.newBuilder(uri("/tools/lookup")).POST(HttpRequest.BodyPublishers.ofString(sopInstanceUid))
                .build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode hit : JSON.readTree(r.body())) {
            if ("Instance".equals(hit.get("Type").asText())) {
                return hit.get("ID").asText();
            }
        }
        throw new IllegalStateException("Orthanc holds no instance " + sopInstanceUid + ": " + r.body());
    }

    private JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private String get(String path) throws IOException, InterruptedException {
        return http().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * A fresh client per request: Orthanc 1.10 drops idle kept-alive connections, and a pooled one then fails
     * the next request with "header parser received no bytes".
     */
    private static HttpClient http() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
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

package org.echostream.findings.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.echostream.dicom.net.testing.OrthancProcess;

/**
 * The hospital PACS for the tests: dicom-net's {@link OrthancProcess} (a real Orthanc) with its DICOM server
 * (C-STORE SCP) and the DICOMweb plugin (STOW-RS) on free ports, and the REST calls these tests need.
 */
public final class Orthanc implements AutoCloseable {

    public static final String AE_TITLE = OrthancProcess.AE_TITLE;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrthancProcess process;
    private final int httpPort;

    public static Orthanc start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** @param moreConfig further top-level JSON members, each followed by a comma (e.g. {@code "DicomCheckCalledAet": true,}) */
    public static Orthanc start(Path dir, String moreConfig) throws IOException, InterruptedException {
        String members = """
                "AuthenticationEnabled": false,
                "DicomAlwaysAllowStore": true,
                "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
                "DicomWeb": { "Enable": true, "Root": "/dicom-web/" },
                """ + moreConfig;
        OrthancProcess p = OrthancProcess.start(dir, "echostream-findings-test", true, members, port -> {
            new Orthanc(null, port).get("/system"); // throws until the REST API answers
            return true;
        });
        return new Orthanc(p, p.httpPort);
    }

    private Orthanc(OrthancProcess process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    public int dicomPort() {
        return process.dicomPort;
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
        return process.log();
    }

    public static int freePort() throws IOException {
        return OrthancProcess.freePort();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}

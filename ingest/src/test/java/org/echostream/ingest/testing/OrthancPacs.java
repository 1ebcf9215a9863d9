package org.echostream.ingest.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.echostream.dicom.net.testing.OrthancProcess;

/**
 * A real Orthanc (dicom-net's {@link OrthancProcess}) playing a hospital PACS on loopback: a DICOM server
 * answering C-FIND and C-MOVE, the DICOMweb plugin (QIDO-RS, WADO-RS) behind HTTP Basic authentication.
 */
public final class OrthancPacs implements AutoCloseable {

    public static final String AE = OrthancProcess.AE_TITLE;
    public static final String USER = "pacsuser";
    public static final String PASSWORD = "s3cret-for-tests";
    private static final String PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private final OrthancProcess process;
    public final int httpPort;
    public final int dicomPort;
    // HTTP/1.1 only: Orthanc's embedded server does not take the h2c upgrade the JDK client offers by default
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private OrthancPacs(OrthancProcess process, int httpPort, int dicomPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.dicomPort = dicomPort;
    }

    public static OrthancPacs start(Path dir) throws Exception {
        return start(dir, "");
    }

    /** @param moreConfig further top-level JSON members, each followed by a comma (e.g. the DicomTls* options) */
    public static OrthancPacs start(Path dir, String moreConfig) throws Exception {
        String members = """
                "AuthenticationEnabled": true,
                "RegisteredUsers": { "%s": "%s" },
                "DicomCheckCalledAet": true,
                "DicomScuTimeout": 30,
                "Plugins": ["%s"],
                "DicomWeb": { "Enable": true, "Root": "/dicom-web/" },
                """.formatted(USER, PASSWORD, PLUGIN) + moreConfig;
        OrthancProcess p = OrthancProcess.start(dir, "echostream-pacs-test", true, members,
                port -> new OrthancPacs(null, port, 0).send("GET", "/system", HttpRequest.BodyPublishers.noBody()).statusCode() == 200);
        return new OrthancPacs(p, p.httpPort, p.dicomPort);
    }

    public String dicomWebUrl() {
        return "http://127.0.0.1:" + httpPort + "/dicom-web";
    }

    /** Registers (or moves) a C-MOVE destination. */
    public void registerModality(String name, String aeTitle, int port) throws Exception {
        String body = "{\"AET\": \"" + aeTitle + "\", \"Host\": \"127.0.0.1\", \"Port\": " + port + "}";
        HttpResponse<String> r = send("PUT", "/modalities/" + name, HttpRequest.BodyPublishers.ofString(body));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Orthanc refused modality " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    public void upload(Path file) throws Exception {
        HttpResponse<String> r = send("POST", "/instances", HttpRequest.BodyPublishers.ofFile(file));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Orthanc refused " + file + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** Orthanc's own IDs of a patient's studies (REST /tools/find). */
    public java.util.List<String> studiesOfPatient(String patientId) throws Exception {
        HttpResponse<String> r = send("POST", "/tools/find", HttpRequest.BodyPublishers.ofString(
                "{\"Level\": \"Study\", \"Query\": {\"PatientID\": \"" + patientId + "\"}}"));
        java.util.List<String> ids = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** Orthanc sends one of its studies by C-STORE to a registered modality and answers when done. */
    public void storeTo(String modality, String orthancStudyId) throws Exception {
        HttpResponse<String> r = send("POST", "/modalities/" + modality + "/store", HttpRequest.BodyPublishers.ofString(
                "{\"Resources\": [\"" + orthancStudyId + "\"], \"Synchronous\": true}"));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Orthanc could not send " + orthancStudyId + " to " + modality + ": " + r.body());
        }
    }

    public String log() throws IOException {
        return Files.readString(process.log());
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        try {
            return sendOnce(method, path, body);
        } catch (IOException e) {
            // a kept-alive connection Orthanc closed meanwhile: one fresh try
            return sendOnce(method, path, body);
        }
    }

    private HttpResponse<String> sendOnce(String method, String path, HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + basic).method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}

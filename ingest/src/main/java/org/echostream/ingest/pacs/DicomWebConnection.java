package org.echostream.ingest.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.dicom.net.MultipartRelated;

/**
 * Query/retrieve over DICOMweb (PS3.18): QIDO-RS searches for studies, series and instances (DICOM JSON), WADO-RS
 * retrieves each instance as {@code multipart/related; type="application/dicom"}, streamed part by part into
 * the spool. HTTP Basic credentials when the node has them. UIDs from the PACS are checked before they go into a
 * URL, so an answer cannot steer our requests elsewhere.
 */
public final class DicomWebConnection implements PacsConnection {

    /** QIDO-RS page size: a study search is read in pages so a large answer never sits in memory whole. */
    static final int PAGE = 500;
    /** Largest QIDO-RS answer read (one page); DICOM JSON of 500 studies is a few hundred KB. */
    private static final int MAX_JSON_BYTES = 32 * 1024 * 1024;
    private static final int MAX_PARTS = 64;
    /**
     * The instance as the PACS stores it: without {@code transfer-syntax=*} WADO-RS defaults to Explicit VR Little
     * Endian, and the PACS decompresses every RLE or JPEG loop (6 to 30 times the bytes on the wire and in the spool).
     */
    static final String STORED_SYNTAX = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    private final PacsNode node;
    private final HttpClient http;
    private final InstanceReceiver receiver;
    private final ObjectMapper json = new ObjectMapper();
    private final String base;

    public DicomWebConnection(PacsNode node, HttpClient http, InstanceReceiver receiver) {
        this.node = node;
        this.http = http;
        this.receiver = receiver;
        String b = node.dicomWebBase().toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    @Override
    public List<StudyMatch> findStudies(StudyQuery query) throws PacsException, InterruptedException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("ModalitiesInStudy", "US");
        if (!query.dateRange().isEmpty()) {
            params.put("StudyDate", query.dateRange());
        }
        if (query.patientId() != null) {
            params.put("PatientID", query.patientId());
        }
        if (query.accessionNumber() != null) {
            params.put("AccessionNumber", query.accessionNumber());
        }
        params.put("includefield", "00201208");
        params.put("limit", String.valueOf(PAGE));
        List<StudyMatch> studies = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            params.put("offset", String.valueOf(offset));
            JsonNode page = search("/studies", params);
            for (JsonNode study : page) {
                String uid = text(study, "0020000D");
                String modalities = String.join("\\", texts(study, "00080061"));
                boolean us = modalities.isEmpty() || texts(study, "00080061").contains("US");
                if (DimseConnection.validUid(uid) && us) {
                    studies.add(new StudyMatch(uid, nz(text(study, "00080020")), integer(text(study, "00201208"))));
                }
            }
            if (page.size() < PAGE) {
                return studies;
            }
            if (studies.size() > DimseConnection.MAX_MATCHES) {
                throw new PacsException(PacsException.QUERY_FAILED, "the query matched more than " + DimseConnection.MAX_MATCHES
                        + " studies on " + node.name() + ": narrow the date range", false);
            }
        }
    }

    @Override
    public List<InstanceMatch> listInstances(StudyMatch study) throws PacsException, InterruptedException {
        List<InstanceMatch> instances = new ArrayList<>();
        for (JsonNode series : search("/studies/" + study.studyInstanceUid() + "/series", Map.of())) {
            String seriesUid = text(series, "0020000E");
            if (!DimseConnection.validUid(seriesUid) || !"US".equals(text(series, "00080060"))) {
                continue;
            }
            for (JsonNode instance : search("/studies/" + study.studyInstanceUid() + "/series/" + seriesUid + "/instances", Map.of())) {
                String sop = text(instance, "00080018");
                if (DimseConnection.validUid(sop)) {
                    instances.add(new InstanceMatch(study.studyInstanceUid(), seriesUid, sop, text(instance, "00080016")));
                }
            }
        }
        return instances;
    }

    @Override
    public Map<String, InstanceOutcome> retrieve(Retrieval retrieval) throws PacsException, InterruptedException {
        Map<String, InstanceOutcome> out = new LinkedHashMap<>();
        for (InstanceMatch i : retrieval.instances()) {
            out.put(i.sopInstanceUid(), retrieveOne(retrieval, i));
        }
        return out;
    }

    private InstanceOutcome retrieveOne(Retrieval r, InstanceMatch i) throws PacsException, InterruptedException {
        String path = "/studies/" + i.studyInstanceUid() + "/series/" + i.seriesInstanceUid() + "/instances/" + i.sopInstanceUid();
        HttpRequest request = request(path, Map.of()).header("Accept", STORED_SYNTAX).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new InstanceOutcome.Missing(PacsException.PACS_UNREACHABLE, "WADO-RS to " + node.name() + " failed: " + e.getMessage());
        }
        try (InputStream body = response.body()) {
            int code = response.statusCode();
            if (code == 401 || code == 403) {
                throw new PacsException(PacsException.NOT_AUTHORISED, "WADO-RS on " + node.name() + " answered HTTP " + code
                        + ": check the node's credentials", false);
            }
            if (code != 200) {
                return new InstanceOutcome.Missing(PacsException.RETRIEVE_REFUSED, "WADO-RS on " + node.name() + " answered HTTP " + code);
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            Provenance provenance = Provenance.backfill(r.jobId(), null, receiver.clock().instant(), r.session());
            List<InstanceReceiver.Received> parts = new ArrayList<>();
            if (contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/dicom")) {
                parts.add(receiver.receive(body, provenance, Ingestor.Admission.ANY)); // a single instance without multipart framing
            } else {
                MultipartRelated.read(body, MultipartRelated.boundary(contentType), MAX_PARTS,
                        (index, headers, part) -> parts.add(receiver.receive(part, provenance, Ingestor.Admission.ANY)));
            }
            if (parts.isEmpty()) {
                return new InstanceOutcome.Missing(InstanceOutcome.RETRIEVE_ZERO_INSTANCES, "WADO-RS on " + node.name()
                        + " answered HTTP 200 with no instance");
            }
            InstanceReceiver.Received first = parts.get(0);
            return new InstanceOutcome.Received(first.result(), first.bytes());
        } catch (MultipartRelated.MalformedException e) {
            return new InstanceOutcome.Missing(PacsException.RETRIEVE_REFUSED, "WADO-RS answer from " + node.name() + " is not usable: " + e.getMessage());
        } catch (IOException e) {
            return new InstanceOutcome.Missing(PacsException.PACS_UNREACHABLE, "WADO-RS from " + node.name() + " broke off: " + e.getMessage());
        }
    }

    private JsonNode search(String path, Map<String, String> params) throws PacsException, InterruptedException {
        HttpRequest request = request(path, params).header("Accept", "application/dicom+json").build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new PacsException(PacsException.PACS_UNREACHABLE, "QIDO-RS to " + node.name() + " failed: " + e.getMessage(), true, e);
        }
        try (InputStream body = response.body()) {
            int code = response.statusCode();
            if (code == 204) {
                return json.createArrayNode();
            }
            if (code == 401 || code == 403) {
                throw new PacsException(PacsException.NOT_AUTHORISED, "QIDO-RS on " + node.name() + " answered HTTP " + code
                        + ": check the node's credentials", false);
            }
            if (code != 200) {
                throw new PacsException(PacsException.QUERY_FAILED, "QIDO-RS on " + node.name() + " answered HTTP " + code, code >= 500);
            }
            byte[] bytes = body.readNBytes(MAX_JSON_BYTES + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                throw new PacsException(PacsException.QUERY_FAILED, "QIDO-RS answer from " + node.name() + " is larger than " + MAX_JSON_BYTES
                        + " bytes", false);
            }
            JsonNode array = bytes.length == 0 ? json.createArrayNode() : json.readTree(bytes);
            if (!array.isArray()) {
                throw new PacsException(PacsException.QUERY_FAILED, "QIDO-RS answer from " + node.name() + " is not a JSON array", false);
            }
            return array;
        } catch (IOException e) {
            throw new PacsException(PacsException.QUERY_FAILED, "unreadable QIDO-RS answer from " + node.name() + ": " + e.getMessage(), true, e);
        }
    }

    private HttpRequest.Builder request(String path, Map<String, String> params) {
        StringBuilder uri = new StringBuilder(base).append(path);
        String sep = "?";
        for (var p : params.entrySet()) {
            uri.append(sep).append(p.getKey()).append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
            sep = "&";
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(node.timeout()).GET();
        if (node.credentials() != null) {
            String token = node.credentials().username() + ":" + node.credentials().password();
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    /** The first value of a DICOM JSON attribute as text (strings, numbers), or null. */
    private static String text(JsonNode dataset, String tag) {
        List<String> values = texts(dataset, tag);
        return values.isEmpty() ? null : values.get(0);
    }

    private static List<String> texts(JsonNode dataset, String tag) {
        JsonNode value = dataset.path(tag).path("Value");
        List<String> out = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode v : value) {
                if (v.isValueNode()) {
                    out.add(v.asText().trim());
                }
            }
        }
        return out;
    }

    private static Integer integer(String value) {
        try {
            return value == null || value.isBlank() ? null : (int) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() {
        // the HTTP client is shared by the node's connections and closed with the job
    }

    /** Whether an outcome is our own refusal (spool, Kafka), not the PACS's doing. */
    static boolean ours(InstanceOutcome o) {
        return o instanceof InstanceOutcome.Received r && r.result() instanceof IngestResult.Refused;
    }
}

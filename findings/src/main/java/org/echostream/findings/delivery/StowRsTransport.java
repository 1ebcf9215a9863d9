package org.echostream.findings.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.dicom.net.MultipartRelated;

/**
 * STOW-RS (PS3.18 10.5): one multipart/related POST of every document of a study to {@code <base URL>/studies},
 * then a check of the store instances response: every SOP instance we sent must be in its Referenced SOP Sequence
 * and none in its Failed SOP Sequence.
 */
public final class StowRsTransport implements Transport {

    /**
     * @param baseUrl       the DICOMweb service root, e.g. https://pacs.example/dicom-web
     * @param authorization the Authorization header value to send, read at each send so a rotated token is picked up
     */
    public record Settings(URI baseUrl, Supplier<Optional<String>> authorization, Duration connectTimeout, Duration requestTimeout) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REFERENCED_SOP_SEQUENCE = "00081199";
    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    private static final String FAILURE_REASON = "00081197";

    private final Settings settings;
    private final HttpClient http;

    public StowRsTransport(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String kind() {
        return "STOW_RS";
    }

    @Override
    public String describe() {
        return studiesUri().toString();
    }

    private URI studiesUri() {
        String base = settings.baseUrl().toString();
        return URI.create(base.endsWith("/") ? base + "studies" : base + "/studies");
    }

    @Override
    public SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents) {
        String boundary = "echostream-" + UUID.randomUUID();
        HttpRequest.Builder request = HttpRequest.newBuilder(studiesUri())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json, application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, documents)));
        settings.authorization().get().ifPresent(value -> request.header("Authorization", value));
        HttpResponse<byte[]> response;
        try {
            response = post(request.build());
        } catch (HttpConnectTimeoutException e) {
            return new SendOutcome.Transient("TIMEOUT", describe() + ": no connection within " + settings.connectTimeout().toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            return new SendOutcome.Transient("TIMEOUT", describe() + ": no answer within " + settings.requestTimeout().toSeconds() + " s");
        } catch (ConnectException e) {
            return new SendOutcome.Transient("CONNECTION_FAILED", describe() + ": cannot connect (" + e.getMessage() + ")");
        } catch (IOException e) {
            return new SendOutcome.Transient("CONNECTION_LOST", describe() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SendOutcome.Transient("INTERRUPTED", describe() + ": the service is stopping");
        }
        return judge(response.statusCode(), response.body(), documents);
    }

    private HttpResponse<byte[]> post(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException | ConnectException e) {
            throw e;
        } catch (IOException e) {
            // A kept-alive connection the server closed while idle fails the next request before any answer (Orthanc
            // 1.10 does this). The derived SOP Instance UIDs make a second POST harmless: try once more, at once, on
            // a new connection, rather than wait a whole back-off.
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    SendOutcome judge(int status, byte[] body, List<EncodedDocument> documents) {
        String answered = describe() + " answered HTTP " + status;
        if (status == 408 || status == 429 || status >= 500) {
            return new SendOutcome.Transient("HTTP_STATUS", answered + bodyNote(body));
        }
        if (status == 401 || status == 403) {
            return new SendOutcome.Refused("AUTHENTICATION_REFUSED", answered + ": check the destination's credentials"
                    + " (echostream.findings.destination.stow-rs.*)");
        }
        if (status != 200 && status != 202) {
            return new SendOutcome.Refused("HTTP_STATUS", answered + bodyNote(body));
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            return status == 200 ? new SendOutcome.Stored(answered + " (no readable store response; 200 means every instance stored)")
                    : new SendOutcome.Refused("STOW_RESPONSE_UNREADABLE", answered + " with a body that is not DICOM JSON" + bodyNote(body));
        }
        List<String> failed = new ArrayList<>();
        boolean onlyOutOfResources = true;
        for (JsonNode item : values(answer, FAILED_SOP_SEQUENCE)) {
            String uid = text(item, REFERENCED_SOP_INSTANCE_UID).orElse("?");
            int reason = values(item, FAILURE_REASON).stream().findFirst().map(JsonNode::asInt).orElse(0);
            failed.add(uid + " (failure reason " + String.format(Locale.ROOT, "0x%04X", reason) + ")");
            onlyOutOfResources &= (reason & 0xFF00) == 0xA700;
        }
        if (!failed.isEmpty()) {
            String detail = answered + ", failed: " + String.join(", ", failed);
            return onlyOutOfResources ? new SendOutcome.Transient("OUT_OF_RESOURCES", detail) : new SendOutcome.Refused("STORE_REFUSED", detail);
        }
        List<String> stored = values(answer, REFERENCED_SOP_SEQUENCE).stream()
                .map(item -> text(item, REFERENCED_SOP_INSTANCE_UID).orElse("")).toList();
        List<String> missing = documents.stream().map(EncodedDocument::sopInstanceUid).filter(uid -> !stored.contains(uid)).toList();
        if (!missing.isEmpty()) {
            return new SendOutcome.Refused("STORE_NOT_CONFIRMED", answered + " but its response does not list " + String.join(", ", missing));
        }
        return new SendOutcome.Stored(documents.size() + " documents stored at " + describe());
    }

    private static byte[] multipart(String boundary, List<EncodedDocument> documents) {
        return MultipartRelated.write(boundary, "application/dicom", documents.stream().map(EncodedDocument::part10).toList());
    }

    /** The "Value" array of a DICOM JSON attribute, or nothing. */
    private static List<JsonNode> values(JsonNode node, String tag) {
        JsonNode value = node.path(tag).path("Value");
        List<JsonNode> list = new ArrayList<>();
        value.forEach(list::add);
        return list;
    }

    private static Optional<String> text(JsonNode node, String tag) {
        return values(node, tag).stream().findFirst().map(JsonNode::asText);
    }

    /**
     * Only the size of the peer's answer: its text may quote what we sent (patient attributes included), and reasons
     * go to logs and Kafka. The PACS's own log has the text.
     */
    private static String bodyNote(byte[] body) {
        return body == null || body.length == 0 ? "" : " (" + body.length + " bytes of response body; see the PACS log)";
    }
}

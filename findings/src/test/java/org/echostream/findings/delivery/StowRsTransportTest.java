package org.echostream.findings.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.echostream.findings.dicom.EncodedDocument;
import org.junit.jupiter.api.Test;

/** How a store instances response is judged (the real PACS is in FindingsToOrthancIT). */
class StowRsTransportTest {

    private static final StowRsTransport STOW = new StowRsTransport(new StowRsTransport.Settings(URI.create("http://pacs.test/dicom-web"),
            Optional::empty, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    private static final List<EncodedDocument> DOCS = List.of(
            new EncodedDocument("1.2.840.10008.5.1.4.1.1.88.33", "2.25.1", new byte[0], new byte[0], new byte[0]),
            new EncodedDocument("1.2.840.10008.5.1.4.1.1.88.59", "2.25.2", new byte[0], new byte[0], new byte[0]));

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String referenced(String... uids) {
        StringBuilder items = new StringBuilder();
        for (String uid : uids) {
            items.append(items.length() == 0 ? "" : ",").append("{\"00081155\": {\"vr\": \"UI\", \"Value\": [\"").append(uid).append("\"]}}");
        }
        return "\"00081199\": {\"vr\": \"SQ\", \"Value\": [" + items + "]}";
    }

    @Test
    void stored_when_every_instance_is_referenced() {
        assertThat(STOW.judge(200, json("{" + referenced("2.25.1", "2.25.2") + "}"), DOCS)).isInstanceOf(SendOutcome.Stored.class);
    }

    @Test
    void refused_when_an_instance_is_in_the_failed_sop_sequence() {
        String body = "{" + referenced("2.25.1") + ", \"00081198\": {\"vr\": \"SQ\", \"Value\": [{\"00081155\": {\"vr\": \"UI\", \"Value\": [\"2.25.2\"]},"
                + " \"00081197\": {\"vr\": \"US\", \"Value\": [43264]}}]}}";

        SendOutcome outcome = STOW.judge(202, json(body), DOCS);

        assertThat(outcome).isEqualTo(new SendOutcome.Refused("STORE_REFUSED",
                "http://pacs.test/dicom-web/studies answered HTTP 202, failed: 2.25.2 (failure reason 0xA900)"));
    }

    @Test
    void out_of_resources_failures_are_retried() {
        String body = "{\"00081198\": {\"vr\": \"SQ\", \"Value\": [{\"00081155\": {\"vr\": \"UI\", \"Value\": [\"2.25.1\"]},"
                + " \"00081197\": {\"vr\": \"US\", \"Value\": [42752]}}]}}";

        assertThat(STOW.judge(409, json(body), DOCS)).isInstanceOf(SendOutcome.Refused.class);
        assertThat(STOW.judge(202, json(body), DOCS)).isInstanceOf(SendOutcome.Transient.class);
    }

    @Test
    void a_response_that_does_not_confirm_an_instance_is_not_taken_for_success() {
        SendOutcome outcome = STOW.judge(200, json("{" + referenced("2.25.1") + "}"), DOCS);

        assertThat(outcome).isInstanceOf(SendOutcome.Refused.class);
        assertThat(((SendOutcome.Refused) outcome).reasonCode()).isEqualTo("STORE_NOT_CONFIRMED");
    }

    @Test
    void server_errors_and_throttling_are_transient_client_errors_are_not() {
        assertThat(STOW.judge(503, new byte[0], DOCS)).isInstanceOf(SendOutcome.Transient.class);
        assertThat(STOW.judge(429, new byte[0], DOCS)).isInstanceOf(SendOutcome.Transient.class);
        assertThat(STOW.judge(400, json("Doe^Jane is not allowed"), DOCS)).isInstanceOf(SendOutcome.Refused.class)
                .extracting(o -> ((SendOutcome.Refused) o).detail()).asString().doesNotContain("Doe");
        assertThat(STOW.judge(401, new byte[0], DOCS)).isEqualTo(new SendOutcome.Refused("AUTHENTICATION_REFUSED",
                "http://pacs.test/dicom-web/studies answered HTTP 401: check the destination's credentials (echostream.findings.destination.stow-rs.*)"));
    }

    @Test
    void a_connection_dropped_before_any_answer_is_tried_once_more_at_once() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try {
                    try (Socket first = server.accept()) {
                        first.getInputStream().read(new byte[64]); // takes the start of the request, answers nothing
                    }
                    try (Socket second = server.accept()) {
                        readRequest(second.getInputStream());
                        byte[] body = json("{" + referenced("2.25.1", "2.25.2") + "}");
                        second.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/dicom+json\r\nContent-Length: " + body.length
                                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        second.getOutputStream().write(body);
                        second.getOutputStream().flush();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            peer.start();
            StowRsTransport stow = new StowRsTransport(new StowRsTransport.Settings(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/dicom-web"),
                    Optional::empty, Duration.ofSeconds(5), Duration.ofSeconds(10)));

            SendOutcome outcome = stow.send("2.25.9", DOCS);

            peer.join(10_000);
            assertThat(outcome).isInstanceOf(SendOutcome.Stored.class);
        }
    }

    /** Reads one HTTP request: headers, then Content-Length bytes of body. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        int at = headers.indexOf("content-length:");
        int length = Integer.parseInt(headers.substring(at + 15, headers.indexOf('\r', at)).trim());
        in.readNBytes(length);
    }
}

package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.ScpHarness;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.echostream.dicom.net.testing.OrthancProcess;

/**
 * A real Orthanc (Debian package, a plain process on loopback ports) holds a study and forwards it to the
 * SCP through its modality REST call, as a PACS would; the records on Kafka match the study exactly.
 */
@ExtendWith(LocalKafkaExtension.class)
class OrthancForwardIT {

    @TempDir
    Path dir;

    @Test
    void orthanc_forwards_a_study_and_kafka_holds_exactly_its_instances(LocalKafka kafka) throws Exception {
        try (ScpHarness harness = ScpHarness.start(kafka.bootstrapServers(), dir, TestFiles.shortShape());
             Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"), harness.port())) {
            // one study: the real echo cine and two synthetic loops, all with the echo cine's study UID
            Path echo = Peers.withNewUids(TestFiles.ECHO_CINE, dir);
            List<Path> files = new ArrayList<>(List.of(echo));
            for (int i = 0; i < 2; i++) {
                Path loop = dir.resolve("loop" + i + ".dcm");
                Files.write(loop, new SyntheticEcho(100, 120, 40, 40, 0.8).toPart10("2.25." + System.nanoTime(), true, i == 0, 66));
                files.add(loop);
            }
            String study = valueOf(echo, "0020,000D");
            for (Path f : files) {
                // Orthanc files a study under its patient: one Patient ID and one Study Instance UID make one study
                assertThat(Peers.run(List.of("dcmodify", "-nb", "-i", "(0020,000D)=" + study, "-i", "(0010,0020)=ORTHANC-TEST", f.toString())))
                        .isZero();
            }
            for (Path f : files) {
                orthanc.upload(f);
            }
            String orthancStudy = orthanc.findStudy(study);
            String answer = orthanc.post("/modalities/echostream/store", "{\"Resources\": [\"" + orthancStudy + "\"], \"Synchronous\": true}");
            assertThat(answer).contains("\"InstancesCount\" : 3").contains("\"FailedInstancesCount\" : 0");

            Set<String> sops = Set.of(Peers.sopInstanceUid(files.get(0)), Peers.sopInstanceUid(files.get(1)), Peers.sopInstanceUid(files.get(2)));
            var records = TopicReader.<InstanceRecord>read(kafka.bootstrapServers(), Topics.INSTANCES, r -> sops.contains(r.key()));
            assertThat(records).hasSize(3);
            assertThat(records).allSatisfy(r -> {
                assertThat(r.value().getStudyInstanceUid()).isEqualTo(study);
                assertThat(r.value().getVerdict()).isEqualTo(Verdict.CLIPS);
                assertThat(r.value().getSource()).isEqualTo("ORTHANC");
            });
        }
    }

    private static String valueOf(Path file, String tag) {
        var r = org.echostream.dicom.net.testing.Dcmtk.run(List.of("dcmdump", "-q", "+P", tag, file.toString()));
        String line = r.output().trim();
        return line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    }

    /** Orthanc as a child process: HTTP and the modality to forward to on loopback, its own DICOM server off. */
    static final class Orthanc implements AutoCloseable {
        private final OrthancProcess process;
        private final int httpPort;
        // A client per request: Orthanc closes idle keep-alive connections, and the JDK client does not retry a
        // POST sent on a pooled connection the server has just closed ("header parser received no bytes").
        private static HttpClient http() {
            return HttpClient.newHttpClient();
        }

        private Orthanc(OrthancProcess process, int httpPort) {
            this.process = process;
            this.httpPort = httpPort;
        }

        static Orthanc start(Path dir, int scpPort) throws Exception {
            String members = """
                    "AuthenticationEnabled": false,
                    "DicomScuTimeout": 30,
                    "Plugins": [],
                    "DicomModalities": { "echostream": ["ECHOSTREAM", "127.0.0.1", %d] },
                    """.formatted(scpPort);
            OrthancProcess p = OrthancProcess.start(dir, "echostream-test", false, members, port -> {
                new Orthanc(null, port).get("/system"); // throws until the REST API answers
                return true;
            });
            return new Orthanc(p, p.httpPort);
        }

        void upload(Path file) throws Exception {
            HttpResponse<String> r = http().send(HttpRequest.newBuilder(uri("/instances")).POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        String findStudy(String studyInstanceUid) throws Exception {
            String body = post("/tools/lookup", studyInstanceUid);
            int at = body.indexOf("\"ID\" : \"");
            assertThat(at).as(body).isPositive();
            return body.substring(at + 8, body.indexOf('"', at + 8));
        }

        String post(String path, String body) throws Exception {
            HttpResponse<String> r = http().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return r.body();
        }

        String get(String path) throws IOException, InterruptedException {
            return http().send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + httpPort + path);
        }

        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }
}

package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.TopicReplay;
import org.echostream.contracts.kafka.Topics;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.DecodableContexts;
import org.echostream.ingest.testing.PackagedIngest;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestScu;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * PHI canaries: studies whose patient name, ID, birth date, accession number and institution are unique strings go
 * through the packaged ingest service by C-STORE, once decodable and once with its pixel data cut short (rejected,
 * dead-lettered). Afterwards no canary may stand anywhere but where PHI belongs (the studies topic, and the spooled
 * originals' contents): not in the service's log, its metrics, any other topic's keys or values (dead letters
 * included), nor in a file or folder name under its data directory.
 */
@ExtendWith(LocalKafkaExtension.class)
class PhiCanaryIT {

    @TempDir
    Path dir;

    @Test
    void no_canary_leaves_the_places_phi_belongs_on_the_decoded_and_the_rejected_path(LocalKafka kafka) throws Exception {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase(Locale.ROOT);
        Map<String, String> canaries = Map.of(
                "(0010,0010)", "CANARYPN" + tag + "^GIVEN" + tag,
                "(0010,0020)", "CANARYID" + tag,
                "(0010,0030)", "19010203",
                "(0008,0050)", "CANARYAC" + tag.substring(0, 6),
                "(0008,0080)", "CANARYINST" + tag);
        Path good = withCanaries(Peers.withNewUids(TestFiles.ECHO_CINE, dir), canaries);
        Path cut = withCanaries(Peers.withNewUids(TestFiles.ECHO_CINE, dir), canaries);
        byte[] whole = Files.readAllBytes(cut);
        byte[] truncated = Arrays.copyOf(whole, whole.length - whole.length / 3);          // pixel data cut short
        String goodSop = Peers.sopInstanceUid(good);
        String cutSop = Peers.sopInstanceUid(cut);

        String bootstrap = kafka.bootstrapServers();
        Path data = Files.createDirectories(dir.resolve("service"));
        try (PackagedIngest service = PackagedIngest.serve(bootstrap, data, Map.of("echostream.model.dir", TestFiles.resource("model-short").toString()))) {
            DecodableContexts contexts = DecodableContexts.usMultiframe();
            try (TestScu scu = TestScu.associate(service.scpPort, "ECHOSTREAM", "CANARYTEST", contexts.proposals())) {
                TestScu.Instance ok = TestScu.Instance.of(Files.readAllBytes(good));
                assertThat(scu.store(contexts.contextOf().get(ok.transferSyntaxUid()), ok)).as("decodable instance stored").isZero();
                TestScu.Instance bad = TestScu.Instance.of(truncated);
                assertThat(scu.store(contexts.contextOf().get(bad.transferSyntaxUid()), bad)).as("cut-short instance refused").isNotZero();
            }
            List<TopicReader.Keyed<InstanceRecord>> verdicts = awaitVerdicts(bootstrap, goodSop, cutSop);
            assertThat(verdicts).as("both instances got their verdict").hasSize(2);
            assertThat(TopicReader.<DeadLetter>read(bootstrap, Topics.DLQ_INGEST, r -> true)).as("the refusal is dead-lettered").isNotEmpty();
            assertThat(TopicReader.<StudyRecord>read(bootstrap, Topics.STUDIES, r -> true).toString())
                    .as("the studies topic is where the patient is named (and proves the canaries were read)").contains("CANARYID" + tag);

            List<String> leaks = new ArrayList<>();
            String log = service.logText();
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String canary : canaries.values()) {
                for (String part : parts(canary)) {
                    if (log.contains(part)) {
                        leaks.add("log: " + part);
                    }
                    if (metrics.contains(part)) {
                        leaks.add("metrics: " + part);
                    }
                }
            }
            leaks.addAll(topicLeaks(bootstrap, canaries));
            try (Stream<Path> files = Files.walk(data)) {
                files.forEach(p -> canaries.values().stream().flatMap(c -> parts(c).stream())
                        .filter(part -> p.toString().contains(part)).forEach(part -> leaks.add("file name: " + p)));
            }
            assertThat(leaks).as("canaries outside the places PHI belongs").isEmpty();
        }
    }

    /** The canary and its components (a person name's family and given parts travel separately in some formats). */
    private static List<String> parts(String canary) {
        return List.of(canary.split("\\^"));
    }

    private static Path withCanaries(Path file, Map<String, String> canaries) {
        List<String> command = new ArrayList<>(List.of("dcmodify", "-nb"));
        canaries.forEach((tag, value) -> {
            command.add("-i");
            command.add(tag + "=" + value);
        });
        command.add(file.toString());
        Dcmtk.Result r = Dcmtk.run(command);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return file;
    }

    private static List<TopicReader.Keyed<InstanceRecord>> awaitVerdicts(String bootstrap, String... sops) throws InterruptedException {
        List<String> wanted = List.of(sops);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<TopicReader.Keyed<InstanceRecord>> found = List.of();
        while (System.nanoTime() < deadline) {
            found = TopicReader.read(bootstrap, Topics.INSTANCES, r -> wanted.contains(r.key()));
            if (found.size() >= wanted.size()) {
                return found;
            }
            Thread.sleep(500);
        }
        return found;
    }

    /** Every record of every catalogued topic but the studies topic, keys and values as bytes, searched for each canary. */
    private static List<String> topicLeaks(String bootstrap, Map<String, String> canaries) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",          // aborted writes count too
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<String> names = Topics.all().stream().map(Topic::name).filter(n -> !n.equals(Topics.STUDIES.name())).toList();
        List<String> leaks = new ArrayList<>();
        List<String> needles = canaries.values().stream().flatMap(c -> parts(c).stream()).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicReplay.replay(consumer, names, Duration.ofSeconds(30), r -> {
                for (String needle : needles) {
                    if (contains(r.key(), needle) || contains(r.value(), needle)) {
                        leaks.add(r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + needle);
                    }
                }
            }).requireComplete();
        }
        return leaks;
    }

    /** Bytes read as ISO-8859-1 map one to one onto chars, so an ASCII canary is found wherever its bytes stand. */
    private static boolean contains(byte[] hay, String needle) {
        return hay != null && new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }
}

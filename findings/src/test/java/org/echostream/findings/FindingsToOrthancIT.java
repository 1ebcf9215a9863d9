package org.echostream.findings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.delivery.SendOutcome;
import org.echostream.findings.delivery.Transport;
import org.echostream.findings.desk.FindingsDesk;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.findings.report.DerivedUids;
import org.echostream.dicom.net.testing.Dciodvfy;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.Orthanc;
import org.echostream.findings.testing.TopicFixture;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's feed, wired by {@link FindingsBeans} from configuration as in production, against the real broker and a
 * real Orthanc as the hospital PACS: a flagged study's SR and KOS arrive (by C-STORE in one test, STOW-RS in the
 * other), pass dciodvfy as Orthanc stores them, reference the right instances, are not sent again after a restart
 * or a replay of the input records, and a changed result sends a new SR that names the first as its predecessor.
 * A poison record on an input topic is dead-lettered and changes nothing else.
 *
 * <p>The feed is started and stopped by hand (the events Quarkus would fire), so one test can restart it.
 */
@ExtendWith(LocalKafkaExtension.class)
class FindingsToOrthancIT {

    private static final AvroSerde<FindingsDelivery> DELIVERIES = AvroSerde.of(FindingsDelivery.class);
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);

    @TempDir
    Path dir;

    @Test
    void c_store_delivers_the_sr_and_kos_once_across_restart_and_replay_and_again_for_a_new_result(LocalKafka kafka) throws Exception {
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"))) {
            deliversOnceAndAgainForANewResult(kafka, orthanc, Map.of(
                    "echostream.findings.destination.name", "orthanc-dimse",
                    "echostream.findings.destination.transport", "dimse",
                    "echostream.findings.destination.dimse.port", String.valueOf(orthanc.dicomPort()),
                    "echostream.findings.destination.dimse.called-ae-title", Orthanc.AE_TITLE), "DIMSE");
        }
    }

    @Test
    void stow_rs_delivers_the_sr_and_kos_once_across_restart_and_replay_and_again_for_a_new_result(LocalKafka kafka) throws Exception {
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"))) {
            deliversOnceAndAgainForANewResult(kafka, orthanc, Map.of(
                    "echostream.findings.destination.name", "orthanc-dicomweb",
                    "echostream.findings.destination.transport", "stow-rs",
                    "echostream.findings.destination.stow-rs.url", orthanc.dicomWebRoot().toString()), "STOW_RS");
        }
    }

    private void deliversOnceAndAgainForANewResult(LocalKafka kafka, Orthanc orthanc, Map<String, String> destination, String transportKind)
            throws Exception {
        String bootstrap = kafka.bootstrapServers();
        TopicCatalogueAdmin.ensureCatalogue(bootstrap, (short) 1);
        EchoStudy echo = new EchoStudy("2.25." + Math.abs(System.nanoTime()) + "1" + transportKind.length());
        Map<String, String> settings = new HashMap<>(destination);
        settings.put("echostream.findings.transactional-id", "findings-it-" + echo.study);
        settings.put("echostream.findings.settle", "1s");
        settings.put("echostream.findings.poll-timeout", "200ms");
        settings.put("echostream.findings.delivery.initial-backoff", "1s");
        FindingsConfig config = config(settings);

        // a poison record first: it is dead-lettered, the study behind it still goes out
        String poisonKey = echo.a4c + ".999";
        TopicFixture.send(bootstrap, Topics.SERIES_SUMMARIES.name(), poisonKey, new byte[] {0x13, 0x37, 0x00, 0x42});
        TopicFixture.produce(bootstrap, echo);

        String srV1;
        String kosV1;
        List<String> sent = new CopyOnWriteArrayList<>();
        try (RunningFeed feed = RunningFeed.start(config, bootstrap, sent)) {
            await(() -> delivered(bootstrap, echo.study).size() == 1, "the first result delivered to " + transportKind);
            FindingsDelivery first = delivered(bootstrap, echo.study).get(0);
            srV1 = first.getSrSopInstanceUid();
            kosV1 = first.getKosSopInstanceUid();
            assertThat(first.getTransport()).isEqualTo(transportKind);
            assertThat(first.getAttempts()).isEqualTo(1);
            assertThat(srV1).isEqualTo(DerivedUids.srInstance(echo.study, first.getResultVersion()));
            assertThat(kosV1).isEqualTo(DerivedUids.kosInstance(echo.study, first.getResultVersion()));
            assertThat(sentFor(sent, echo.study)).containsExactly(srV1, kosV1);
        }

        // Orthanc holds both, valid, in the source study, referencing the right instances
        assertThat(orthanc.sopInstanceUids(echo.study)).containsExactlyInAnyOrder(srV1, kosV1);
        for (String uid : List.of(srV1, kosV1)) {
            Dciodvfy.Verdict verdict = Dciodvfy.check(orthanc.file(uid), dir, uid + ".dcm");
            assertThat(verdict.errors()).as(verdict.output()).isEmpty();
        }
        JsonNode sr = orthanc.tags(srV1);
        assertThat(sr.get("Modality").asText()).isEqualTo("SR");
        assertThat(sr.get("StudyInstanceUID").asText()).isEqualTo(echo.study);
        assertThat(referencedSops(sr.get("ContentSequence"))).containsExactlyInAnyOrder(echo.a4c + ".1", echo.a4c + ".2", echo.plax + ".1");
        JsonNode kos = orthanc.tags(kosV1);
        assertThat(kos.get("Modality").asText()).isEqualTo("KO");
        // events are on the first A4C loop only: the KOS selects it (with frames), and nothing of the unflagged PLAX series
        assertThat(referencedSops(kos.get("ContentSequence"))).containsExactly(echo.a4c + ".1");
        assertThat(kos.toString()).contains("ReferencedFrameNumber");

        assertThat(deadLetters(bootstrap, poisonKey)).singleElement().satisfies(letter -> {
            assertThat(letter.getSourceTopic()).isEqualTo(Topics.SERIES_SUMMARIES.name());
            assertThat(letter.getReasonCode()).isNotBlank();
        });

        // restart: the new instance reads the earlier delivery back and sends nothing; then a replay of every input record
        sent.clear();
        int recordsBefore = records(bootstrap, echo.study).size();
        try (RunningFeed feed = RunningFeed.start(config, bootstrap, sent)) {
            await(feed.feed::caughtUp, "the restarted feed caught up");
            TopicFixture.produce(bootstrap, echo);
            Thread.sleep(4_000); // settle (1 s) and several polls: long enough for a wrong resend to happen
            assertThat(sentFor(sent, echo.study)).as("nothing sent again after a restart and a replay").isEmpty();
            assertThat(records(bootstrap, echo.study)).hasSize(recordsBefore);

            // a changed result (the A4C score moved) is a new result version: a new SR, naming the first as predecessor
            echo.summaries.set(0, echo.summary(echo.a4c, 0.97, true, 2));
            TopicFixture.produce(bootstrap, echo);
            await(() -> delivered(bootstrap, echo.study).size() == 2, "the second result delivered");
        }
        assertThat(deadLetters(bootstrap, poisonKey)).as("the poison read again at restart is not dead-lettered again").hasSize(1);
        FindingsDelivery second = delivered(bootstrap, echo.study).get(1);
        assertThat(second.getSrSopInstanceUid()).isNotEqualTo(srV1);
        assertThat(second.getSupersedesSrSopInstanceUid()).isEqualTo(srV1);
        assertThat(sentFor(sent, echo.study)).containsExactly(second.getSrSopInstanceUid(), second.getKosSopInstanceUid());
        assertThat(orthanc.sopInstanceUids(echo.study)).containsExactlyInAnyOrder(srV1, kosV1, second.getSrSopInstanceUid(),
                second.getKosSopInstanceUid());
        JsonNode replacing = orthanc.tags(second.getSrSopInstanceUid());
        assertThat(replacing.get("PredecessorDocumentsSequence").toString()).contains(srV1);
        Dciodvfy.Verdict verdict = Dciodvfy.check(orthanc.file(second.getSrSopInstanceUid()), dir, "replacing.dcm");
        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
    }

    /** The feed, its delivery log and a transport as {@link FindingsBeans} wires them, the transport counting the SOP instances it sent. */
    private record RunningFeed(FindingsFeed feed, KafkaDeliveryLog log) implements AutoCloseable {

        static RunningFeed start(FindingsConfig config, String bootstrap, List<String> sent) {
            FindingsBeans beans = new FindingsBeans();
            Clock clock = Clock.systemUTC();
            Transport real = beans.transport(config);
            Transport counting = new Transport() {
                @Override
                public String kind() {
                    return real.kind();
                }

                @Override
                public String describe() {
                    return real.describe();
                }

                @Override
                public SendOutcome send(String study, List<EncodedDocument> documents) {
                    SendOutcome outcome = real.send(study, documents);
                    // other tests' studies reach this destination too (a new destination gets every result): count ours
                    documents.forEach(d -> sent.add(study + " " + d.sopInstanceUid()));
                    return outcome;
                }
            };
            KafkaDeliveryLog log = beans.deliveryLog(config, bootstrap, java.util.Map.of());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            FindingsDesk desk = beans.desk(config, beans.builder(config, "it"), counting, log, new MicrometerDeliveryMetrics(registry), clock);
            FindingsFeed feed = new FindingsFeed(desk, config, bootstrap, log, counting, registry, clock, java.util.Map.of());
            feed.onStart(new StartupEvent());
            return new RunningFeed(feed, log);
        }

        @Override
        public void close() throws InterruptedException {
            feed.onStop(new ShutdownEvent());
            log.close();
        }
    }

    private static List<String> sentFor(List<String> sent, String study) {
        return sent.stream().filter(s -> s.startsWith(study + " ")).map(s -> s.substring(study.length() + 1)).toList();
    }

    private static FindingsConfig config(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(FindingsConfig.class)
                // Quarkus reads "10s"-style durations with its own converter; SmallRye alone knows only ISO-8601
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new MapBackedConfigSource("findings-it", values, 500) {
                }).build();
        return config.getConfigMapping(FindingsConfig.class);
    }

    /** Every SOP Instance UID referenced anywhere in a content tree (Orthanc's simplified JSON). */
    private static Set<String> referencedSops(JsonNode node) {
        Set<String> uids = new java.util.TreeSet<>();
        collect(node, uids);
        return uids;
    }

    private static void collect(JsonNode node, Set<String> uids) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("ReferencedSOPInstanceUID")) {
                    uids.add(f.getValue().asText());
                } else {
                    collect(f.getValue(), uids);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, uids));
        }
    }

    private static List<FindingsDelivery> records(String bootstrap, String study) {
        return TopicFixture.read(bootstrap, Topics.FINDINGS_DELIVERIES.name(), study).stream().map(DELIVERIES::decode).toList();
    }

    private static List<FindingsDelivery> delivered(String bootstrap, String study) {
        return records(bootstrap, study).stream().filter(d -> d.getState() == DeliveryState.DELIVERED).toList();
    }

    private static List<DeadLetter> deadLetters(String bootstrap, String key) {
        return TopicFixture.read(bootstrap, Topics.deadLettersOf("findings").name(), null).stream().map(LETTERS::decode)
                .filter(l -> key.equals(l.getSourceKey())).collect(Collectors.toList());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 90 s: " + what);
            }
            Thread.sleep(250);
        }
    }
}

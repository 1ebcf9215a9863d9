package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.ScpHarness;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestScu;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.echostream.kafka.local.SharedLocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What C-STORE acknowledges is durable, and what is not durable is not acknowledged: an association aborted
 * mid-transfer, a broker that goes away, a full spool.
 */
@ExtendWith(LocalKafkaExtension.class)
class DurabilityIT {

    private static final List<TestScu.Proposal> US = List.of(new TestScu.Proposal(1, Part10Writer.US_MULTIFRAME, Part10Writer.EXPLICIT_LE));

    @TempDir
    Path dir;

    @Test
    void an_association_aborted_mid_transfer_loses_nothing_acknowledged_and_acknowledges_nothing_lost(LocalKafka kafka) throws Exception {
        String run = "2.25." + System.nanoTime();
        try (ScpHarness harness = ScpHarness.start(kafka.bootstrapServers(), dir, TestFiles.shortShape())) {
            TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "ABORTER", US);
            assertThat(scu.store(1, instance(run + ".1"))).isZero();
            assertThat(scu.store(1, instance(run + ".2"))).isZero();
            TestScu.Instance third = instance(run + ".3");
            scu.storePartially(1, third, third.dataset().length / 2);
            scu.abort();

            // a new association is served, and the third instance, sent again in full, is taken
            try (TestScu again = TestScu.associate(harness.port(), ScpHarness.AE, "ABORTER", US)) {
                assertThat(again.echoOrStoreNothing()).isTrue();
            }
            assertThat(sops(kafka, run)).containsExactlyInAnyOrder(run + ".1", run + ".2");
            try (var incoming = Files.list(harness.spool.root().resolve("incoming"))) {
                assertThat(incoming).as("the half-received file is gone").isEmpty();
            }
            try (TestScu again = TestScu.associate(harness.port(), ScpHarness.AE, "ABORTER", US)) {
                assertThat(again.store(1, third)).isZero();
                again.release();
            }
            assertThat(sops(kafka, run)).containsExactlyInAnyOrder(run + ".1", run + ".2", run + ".3");
        }
    }

    @Test
    void answers_out_of_resources_while_kafka_is_down_and_publishes_nothing_of_the_refused_instance() throws Exception {
        Path kafkaDir = SharedLocalKafka.testDataDir();
        LocalKafka own = new LocalKafka(LocalKafka.Config.defaults(kafkaDir)).start();
        int port = own.port();
        String run = "2.25." + System.nanoTime();
        try (ScpHarness harness = new ScpHarness(own.bootstrapServers(), dir, TestFiles.shortShape(), Duration.ofSeconds(4), 0, Set.of())) {
            try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "MODALITY", US)) {
                assertThat(scu.store(1, instance(run + ".1"))).isZero();
            }
            own.close();
            try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "MODALITY", US)) {
                assertThat(scu.store(1, instance(run + ".2"))).isEqualTo(0xA700);
            }
            own = new LocalKafka(LocalKafka.Config.defaults(kafkaDir).withPort(port)).start();
            try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "MODALITY", US)) {
                assertThat(scu.store(1, instance(run + ".2"))).isZero();
            }
            var records = TopicReader.<InstanceRecord>read(own.bootstrapServers(), Topics.INSTANCES, r -> r.key().startsWith(run + "."));
            assertThat(records).extracting(TopicReader.Keyed::key).containsExactlyInAnyOrder(run + ".1", run + ".2");
        } finally {
            own.close();
        }
    }

    @Test
    void answers_out_of_resources_when_the_spool_is_full(LocalKafka kafka) throws Exception {
        String run = "2.25." + System.nanoTime();
        try (ScpHarness harness = new ScpHarness(kafka.bootstrapServers(), dir, TestFiles.shortShape(), Duration.ofSeconds(10), Long.MAX_VALUE,
                Set.of());
             TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "MODALITY", US)) {
            assertThat(scu.store(1, instance(run + ".1"))).isEqualTo(0xA700);
            assertThat(scu.store(1, instance(run + ".2"))).as("the association survives a refusal").isEqualTo(0xA700);
        }
        assertThat(sops(kafka, run)).isEmpty();
    }

    private static List<String> sops(LocalKafka kafka, String run) {
        return TopicReader.<InstanceRecord>read(kafka.bootstrapServers(), Topics.INSTANCES, r -> r.key().startsWith(run + "."))
                .stream().map(TopicReader.Keyed::key).toList();
    }

    private static TestScu.Instance instance(String sop) throws Exception {
        return TestScu.Instance.of(new SyntheticEcho(60, 80, 30, 40, 0.8).toPart10(sop, true, false, 70));
    }
}

package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.DecodableContexts;
import org.echostream.ingest.testing.Mutations;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.ScpHarness;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestScu;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 zzuf-mutated data sets sent through C-STORE: every one answered (stored, or refused with a failure
 * status), one dead letter per refusal, and the SCP keeps serving.
 */
@ExtendWith(LocalKafkaExtension.class)
class MutatedFilesScpIT {

    private static final int PER_ASSOCIATION = 50;

    @TempDir
    Path dir;

    @Test
    void every_mutated_instance_is_answered_and_each_refusal_is_dead_lettered(LocalKafka kafka) throws Exception {
        List<Path> mutants = Mutations.make(Mutations.seeds(dir), dir, 500);
        String caller = "FUZZ" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        DecodableContexts contexts = DecodableContexts.usMultiframe();
        List<TestScu.Proposal> proposals = contexts.proposals();
        Map<String, Integer> contextOf = contexts.contextOf();
        Map<Integer, Integer> statuses = new TreeMap<>();
        try (ScpHarness harness = ScpHarness.start(kafka.bootstrapServers(), dir, TestFiles.shortShape())) {
            for (int start = 0; start < mutants.size(); start += PER_ASSOCIATION) {
                try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, caller, proposals)) {
                    for (Path mutant : mutants.subList(start, Math.min(mutants.size(), start + PER_ASSOCIATION))) {
                        TestScu.Instance wire = onTheWire(Files.readAllBytes(mutant));
                        int context = contextOf.getOrDefault(wire.transferSyntaxUid(), contextOf.get(Part10Writer.EXPLICIT_LE));
                        statuses.merge(scu.store(context, wire), 1, Integer::sum);
                    }
                    scu.release();
                }
            }
            System.out.println("C-STORE statuses of 500 mutated instances: " + statuses);
            assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(500);
            assertThat(statuses.keySet()).isSubsetOf(0x0000, 0xA900, 0xC000);
            int refused = statuses.getOrDefault(0xA900, 0) + statuses.getOrDefault(0xC000, 0);
            assertThat(refused).isPositive();
            var letters = TopicReader.<DeadLetter>read(kafka.bootstrapServers(), Topics.DLQ_INGEST,
                    r -> r.value() != null && caller.equals(r.value().getCallingAeTitle()));
            assertThat(letters).hasSize(refused);

            try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, caller, proposals)) {
                byte[] good = new SyntheticEcho(60, 80, 30, 40, 0.8).toPart10("2.25." + System.nanoTime(), true, false, 70);
                assertThat(scu.store(contextOf.get(Part10Writer.EXPLICIT_LE), TestScu.Instance.of(good))).as("still serving").isZero();
            }
        }
    }

    /** The mutant as an SCU would send it: its own meta information when readable, else the bytes after the preamble. */
    private static TestScu.Instance onTheWire(byte[] mutant) {
        try {
            TestScu.Instance parsed = TestScu.Instance.of(mutant);
            String sop = parsed.sopInstanceUid() == null || parsed.sopInstanceUid().isEmpty() ? "2.25." + System.nanoTime() : parsed.sopInstanceUid();
            return new TestScu.Instance(Part10Writer.US_MULTIFRAME, sop, parsed.transferSyntaxUid(), parsed.dataset());
        } catch (Exception e) {
            byte[] rest = java.util.Arrays.copyOfRange(mutant, Math.min(mutant.length, 132), mutant.length);
            return new TestScu.Instance(Part10Writer.US_MULTIFRAME, "2.25." + System.nanoTime(), Part10Writer.EXPLICIT_LE, rest);
        }
    }
}

package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.CraftedFiles;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.DecodableContexts;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.Peers;
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
 * The crafted files by C-STORE into the SCP on the real broker: each answered with a failure status, one dead
 * letter each with its reason, and afterwards dcmtk's storescu still stores a well-formed loop and echoscu is
 * answered (the service is alive and serving).
 */
@ExtendWith(LocalKafkaExtension.class)
class HostileFilesScpIT {

    /**
     * The files whose reason does not depend on the inflation cap (the harness runs with the production caps, so the
     * 32 MiB deflate bomb of the set, sized for the test caps, is within them here).
     */
    private static final List<String> SENT = List.of("rle-rgb-16384.dcm", "native-rgb16-65535.dcm", "jpeg-rgb-65535.dcm",
            "j2k-rgb-65535.dcm", "j2k-siz-lies.dcm", "nested-sequences-10000.dcm", "rle-lying-offset-table.dcm",
            "jpeg-offset-table-past-end.dcm");

    @TempDir
    Path dir;

    @Test
    void every_crafted_file_is_refused_with_its_reason_and_storescu_still_stores_afterwards(LocalKafka kafka) throws Exception {
        Map<String, CraftedFiles.Crafted> set = CraftedFiles.set();
        String caller = "HOSTILE" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        DecodableContexts contexts = DecodableContexts.usMultiframe();
        List<TestScu.Proposal> proposals = contexts.proposals();
        Map<String, Integer> contextOf = contexts.contextOf();
        Map<String, String> sopOf = new LinkedHashMap<>();
        try (ScpHarness harness = ScpHarness.start(kafka.bootstrapServers(), dir, TestFiles.shortShape())) {
            try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, caller, proposals)) {
                for (String name : SENT) {
                    TestScu.Instance parsed = TestScu.Instance.of(set.get(name).bytes());
                    String sop = "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
                    sopOf.put(sop, name);
                    int status = scu.store(contextOf.get(parsed.transferSyntaxUid()),
                            new TestScu.Instance(Part10Writer.US_MULTIFRAME, sop, parsed.transferSyntaxUid(), parsed.dataset()));
                    assertThat(status).as(name + ": a failure status, never success").isIn(0xA900, 0xC000);
                }
                scu.release();
            }
            List<DeadLetter> letters = TopicReader.<DeadLetter>read(kafka.bootstrapServers(), Topics.DLQ_INGEST,
                    r -> r.value() != null && caller.equals(r.value().getCallingAeTitle())).stream().map(r -> r.value()).toList();
            assertThat(letters).as("one dead letter per crafted file").hasSize(SENT.size());
            for (DeadLetter letter : letters) {
                assertThat(letter.getReasonCode()).isNotEqualTo("DECODER_FAILURE");
                assertThat(letter.getReasonDetail()).isNotBlank();
            }
            assertThat(letters.stream().map(DeadLetter::getReasonCode).toList()).as("the reason of each crafted file")
                    .containsExactlyInAnyOrderElementsOf(SENT.stream().map(name -> set.get(name).reason().name()).toList());

            Path good = Files.write(dir.resolve("good.dcm"),
                    new SyntheticEcho(60, 80, 30, 40, 0.8).toPart10("2.25." + System.nanoTime(), true, false, 70));
            Dcmtk.Result stored = Peers.storescu(harness.port(), List.of(), List.of(good));
            assertThat(stored.exitCode()).as(stored.output()).isZero();
            Dcmtk.Result echo = Dcmtk.run(List.of("echoscu", "-aec", ScpHarness.AE, "127.0.0.1", String.valueOf(harness.port())));
            assertThat(echo.exitCode()).as(echo.output()).isZero();
        }
    }
}

package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.testing.Mutations;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 500 zzuf-mutated files through the inspect path: each decoded or rejected with a reason, none crashes or runs out of memory. */
class MutatedFilesTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void every_mutated_file_is_decoded_or_rejected_with_a_known_reason() throws Exception {
        List<Path> mutants = Mutations.make(Mutations.seeds(dir), dir, 500);
        InstanceProcessor processor = Pipelines.processor(TestFiles.shortShape());
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Path file : mutants) {
            ProcessedInstance p = processor.process(TestFiles.read(file), Provenance.file("fuzz", Pipelines.T0), null);
            String outcome = p.verdict().verdict() + (p.verdict().reasonCode() == null ? "" : " " + p.verdict().reasonCode());
            outcomes.merge(outcome, 1, Integer::sum);
            assertThat(p.verdict().reasonCode()).as("%s: %s", file.getFileName(), p.verdict().reasonDetail())
                    .isNotEqualTo(RejectReason.DECODER_FAILURE.name());
            if (p.verdict().verdict() == Verdict.REJECTED) {
                assertThat(p.deadLetter()).isNotNull();
                assertThat(p.verdict().reasonDetail()).isNotBlank();
            }
        }
        System.out.println("mutated files by outcome: " + outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(500);
        assertThat(outcomes.keySet()).as("the corpus exercises both sides").anyMatch(k -> k.startsWith("REJECTED"))
                .anyMatch(k -> !k.startsWith("REJECTED"));
    }
}

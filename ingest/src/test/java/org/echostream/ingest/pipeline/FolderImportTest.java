package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.RecordingPublisher;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderImportTest {

    @TempDir
    Path dir;

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<Duration> waits = new ArrayList<>();
    private Ingestor ingestor;
    private Path archive;

    @BeforeEach
    void setUp() throws Exception {
        ingestor = new Ingestor(Pipelines.processor(TestFiles.shape()), new Spool(dir.resolve("spool"), 0), publisher, new InstanceLedger(),
                TestFiles.LIMITS.maxFileBytes(), (result, provenance, nanos) -> { });
        archive = Files.createDirectories(dir.resolve("archive").resolve("any name"));
        Files.write(archive.resolve("loop-without-extension"), new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.3.4", true, true, 70));
        Files.copy(TestFiles.SAMPLES.resolve("OBXXXX1A_rle_2frame.dcm"), archive.resolve("ob.dcm"));
        Files.copy(TestFiles.PYDICOM.resolve("MR_truncated.dcm"), archive.resolve("truncated.dcm"));
        Files.writeString(archive.resolve("notes.txt"), "not dicom");
    }

    @Test
    void imports_every_file_and_summarises_ingested_skipped_and_rejected_by_reason() throws Exception {
        List<ImportProgress> progress = new ArrayList<>();
        FolderImport.Summary summary = importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-1", Pipelines.T0),
                progress::add, () -> false);
        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.SUCCEEDED);
        ImportProgress p = summary.progress();
        assertThat(p.total()).isEqualTo(4);
        assertThat(p.processed()).isEqualTo(4);
        assertThat(p.ingested()).isEqualTo(2);
        assertThat(p.clips()).isEqualTo(1);
        assertThat(p.notScoredByReason()).containsEntry("NON_CARDIAC", 1L);
        assertThat(p.rejectedByReason()).containsEntry("TRUNCATED_PIXEL_DATA", 1L).containsEntry("NOT_DICOM", 1L);
        assertThat(progress).hasSize(5); // the start and one per file
        assertThat(progress.get(2).processed()).isEqualTo(2);
        assertThat(publisher.published).hasSize(4);
        assertThat(publisher.published.stream().filter(i -> i.deadLetter() != null)).hasSize(2);
    }

    @Test
    void a_second_run_skips_what_the_first_ingested_and_retries_what_it_rejected() throws Exception {
        importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-1", Pipelines.T0), p -> { }, () -> false);
        publisher.published.clear();
        FolderImport.Summary again = importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-2", Pipelines.T0), p -> { }, () -> false);
        assertThat(again.progress().skipped()).isEqualTo(2);
        assertThat(again.progress().rejected()).isEqualTo(2);
        assertThat(publisher.published).allMatch(i -> i.verdict().verdict() == Verdict.REJECTED);
    }

    @Test
    void stops_with_a_resumable_failure_when_kafka_stays_unavailable() throws Exception {
        publisher.failuresLeft = 100;
        FolderImport.Summary summary = importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-1", Pipelines.T0), p -> { }, () -> false);
        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.FAILED);
        assertThat(summary.message()).contains("stopped after 0 of 4 files").contains("KAFKA_UNAVAILABLE").contains("run the import again to resume");
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void retries_a_refused_file_and_goes_on_once_kafka_is_back() throws Exception {
        publisher.failuresLeft = 2;
        FolderImport.Summary summary = importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-1", Pipelines.T0), p -> { }, () -> false);
        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.SUCCEEDED);
        assertThat(publisher.published).hasSize(4);
    }

    @Test
    void can_be_cancelled_between_files() throws Exception {
        int[] seen = {0};
        FolderImport.Summary summary = importer(0).run(List.of(dir.resolve("archive")), Provenance.file("job-1", Pipelines.T0),
                p -> seen[0]++, () -> seen[0] >= 2);
        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.CANCELLED);
        assertThat(summary.progress().processed()).isEqualTo(1);
    }

    @Test
    void a_missing_folder_fails_with_its_name() throws Exception {
        FolderImport.Summary summary = importer(0).run(List.of(dir.resolve("nowhere")), Provenance.file("job-1", Pipelines.T0), p -> { }, () -> false);
        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.FAILED);
        assertThat(summary.message()).contains("no such file or folder").contains("nowhere");
    }

    private FolderImport importer(double perSecond) {
        Throttle.Sleeper record = waits::add;
        return new FolderImport(ingestor, Pipelines.CLOCK, new Throttle(perSecond, Pipelines.CLOCK, record),
                new FolderImport.RetryPolicy(3, Duration.ofSeconds(1)), record);
    }
}

package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.RecordingPublisher;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives as import roots: ZIP built here, tar.gz made by the system's tar, and hostile archives. */
class ArchiveImportTest {

    @TempDir
    Path dir;

    private final RecordingPublisher publisher = new RecordingPublisher();
    private Ingestor ingestor;
    private Path files;

    @BeforeEach
    void setUp() throws Exception {
        ingestor = new Ingestor(Pipelines.processor(TestFiles.shape()), new Spool(dir.resolve("spool"), 0), publisher, new InstanceLedger(),
                TestFiles.LIMITS.maxFileBytes(), (result, provenance, nanos) -> { });
        files = Files.createDirectories(dir.resolve("export").resolve("STUDY 1"));
        Files.write(files.resolve("loop-without-extension"), new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.3.4", true, true, 70));
        Files.copy(TestFiles.SAMPLES.resolve("OBXXXX1A_rle_2frame.dcm"), files.resolve("ob.dcm"));
        Files.copy(TestFiles.PYDICOM.resolve("MR_truncated.dcm"), files.resolve("truncated.dcm"));
    }

    @Test
    void a_zip_imports_like_the_folder_it_was_made_from_and_its_entry_names_cannot_escape() throws Exception {
        Path zip = dir.resolve("export.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "STUDY 1/", null);
            put(out, "STUDY 1/loop-without-extension", files.resolve("loop-without-extension"));
            put(out, "../../outside/ob.dcm", files.resolve("ob.dcm"));
            put(out, "/abs/truncated.dcm", files.resolve("truncated.dcm"));
        }

        FolderImport.Summary summary = importer(new ArchiveExpander(FolderImport.ARCHIVE_LIMITS)).run(List.of(zip),
                Provenance.file("job-zip", Pipelines.T0), p -> { }, () -> false);

        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.SUCCEEDED);
        assertThat(summary.progress().total()).isEqualTo(3);
        assertThat(summary.progress().ingested()).isEqualTo(2);
        assertThat(summary.progress().clips()).isEqualTo(1);
        assertThat(summary.progress().rejectedByReason()).containsEntry("TRUNCATED_PIXEL_DATA", 1L);
        assertThat(dir.resolve("outside")).doesNotExist();
        assertThat(dir.getParent().resolve("outside")).doesNotExist();
        assertThat(ArchiveExpander.flatName(7, "../../etc/passwd")).isEqualTo("000007-passwd");
        assertThat(ArchiveExpander.flatName(8, "..")).isEqualTo("000008-entry");
    }

    @Test
    void a_tar_gz_made_by_tar_imports_every_file() throws Exception {
        Path tgz = dir.resolve("export.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", dir.resolve("export").toString(), "STUDY 1")
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();

        FolderImport.Summary summary = importer(new ArchiveExpander(FolderImport.ARCHIVE_LIMITS)).run(List.of(tgz),
                Provenance.file("job-tgz", Pipelines.T0), p -> { }, () -> false);

        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.SUCCEEDED);
        assertThat(summary.progress().total()).isEqualTo(3);
        assertThat(summary.progress().ingested()).isEqualTo(2);
        assertThat(summary.progress().rejected()).isEqualTo(1);
    }

    @Test
    void an_archive_over_its_limit_fails_with_the_reason_and_the_other_roots_still_import() throws Exception {
        Path zip = dir.resolve("bomb.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("zeros.dcm"));
            out.write(new byte[5_000_000]);            // deflates to a few KB
            out.closeEntry();
        }
        var small = new ArchiveExpander(new ArchiveExpander.Limits(1_000_000, 10_000_000, 100));

        FolderImport.Summary summary = importer(small).run(List.of(zip, files), Provenance.file("job-bomb", Pipelines.T0),
                p -> { }, () -> false);

        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.FAILED);
        assertThat(summary.message()).contains("bomb.zip").contains("1000000-byte limit per file")
                .contains("every other file were imported");
        assertThat(summary.progress().ingested()).isEqualTo(2);   // the folder's files
    }

    @Test
    void a_truncated_tar_is_reported_not_silently_short() throws Exception {
        Path tar = dir.resolve("cut.tar");
        Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", dir.resolve("export").toString(), "STUDY 1")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        byte[] whole = Files.readAllBytes(tar);
        Files.write(tar, java.util.Arrays.copyOf(whole, 512 + 1000)); // header of the first entry and part of its data

        FolderImport.Summary summary = importer(new ArchiveExpander(FolderImport.ARCHIVE_LIMITS)).run(List.of(tar),
                Provenance.file("job-cut", Pipelines.T0), q -> { }, () -> false);

        assertThat(summary.ending()).isEqualTo(FolderImport.Ending.FAILED);
        assertThat(summary.message()).contains("cut.tar").contains("truncated");
    }

    private static void put(ZipOutputStream out, String name, Path content) throws Exception {
        out.putNextEntry(new ZipEntry(name));
        if (content != null) {
            Files.copy(content, (OutputStream) out);
        }
        out.closeEntry();
    }

    private FolderImport importer(ArchiveExpander expander) {
        return new FolderImport(ingestor, Pipelines.CLOCK, new Throttle(0, Pipelines.CLOCK, d -> { }),
                new FolderImport.RetryPolicy(0, Duration.ofSeconds(1)), d -> { }, expander);
    }
}

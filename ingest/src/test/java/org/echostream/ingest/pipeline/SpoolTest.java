package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    @Test
    void names_files_by_their_content_and_keeps_identical_content_once() throws Exception {
        Spool spool = new Spool(dir, 0);
        SpooledFile a = write(spool, "same bytes");
        SpooledFile b = write(spool, "same bytes");
        assertThat(a.path()).isEqualTo(b.path());
        assertThat(a.path().getFileName().toString()).isEqualTo(a.sha256() + ".dcm");
        assertThat(a.path().getParent().getFileName().toString()).isEqualTo(a.sha256().substring(0, 2));
        assertThat(Files.readString(a.path())).isEqualTo("same bytes");
        assertThat(a.uri()).startsWith("file:/");
        try (var incoming = Files.list(dir.resolve("incoming"))) {
            assertThat(incoming).isEmpty();
        }
    }

    @Test
    void spooled_files_and_their_folders_are_for_the_service_user_only() throws Exception {
        Spool spool = new Spool(dir, 0);
        SpooledFile file = write(spool, "patient data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("incoming")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void an_abandoned_file_leaves_nothing_behind() throws Exception {
        Spool spool = new Spool(dir, 0);
        try (Spool.Incoming incoming = spool.begin(100)) {
            incoming.write("partial".getBytes(), 0, 7);
        }
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void refuses_new_files_when_the_disk_is_below_the_free_space_it_keeps() throws Exception {
        Spool spool = new Spool(dir, Long.MAX_VALUE);
        assertThatThrownBy(() -> spool.begin(100)).isInstanceOf(SpoolFullException.class).hasMessageContaining("less than the");
    }

    @Test
    void refuses_a_file_larger_than_the_limit() throws Exception {
        Spool spool = new Spool(dir, 0);
        try (Spool.Incoming incoming = spool.begin(4)) {
            assertThatThrownBy(() -> incoming.write(new byte[5], 0, 5)).isInstanceOf(Spool.FileTooLargeException.class);
        }
    }

    @Test
    void removes_files_a_stopped_process_left_incomplete() throws Exception {
        Spool spool = new Spool(dir, 0);
        Files.writeString(dir.resolve("incoming").resolve("x.part"), "half");
        assertThat(new Spool(dir, 0).removeIncomplete()).isEqualTo(1);
    }

    private static SpooledFile write(Spool spool, String content) throws Exception {
        try (Spool.Incoming incoming = spool.begin(1000)) {
            incoming.write(content.getBytes(), 0, content.length());
            return incoming.commit();
        }
    }
}

package org.echostream.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportJobsTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    final ImportJobs jobs = new ImportJobs(clock, () -> "job-7", 3);

    private String rejected(String kind, List<String> paths) {
        JobSubmission s = jobs.submit(kind, paths, "admin");
        assertThat(s).isInstanceOf(JobSubmission.Rejected.class);
        return ((JobSubmission.Rejected) s).reason();
    }

    @Test
    void accepts_absolute_folders_and_stamps_who_and_when() {
        var command = ((JobSubmission.Accepted) jobs.submit("IMPORT_FOLDER", List.of("/archive/2019"), "admin")).command();
        assertThat(command.getJobId()).isEqualTo("job-7");
        assertThat(command.getRequestedAt()).isEqualTo(clock.instant());
        assertThat(command.getRequestedBy()).isEqualTo("admin");
        assertThat(command.getPaths()).containsExactly("/archive/2019");
    }

    @Test
    void refuses_what_can_never_be_right_with_the_reason() {
        assertThat(rejected("BACKFILL", List.of("/a"))).contains("kind must be IMPORT_FOLDER");
        assertThat(rejected("IMPORT_FOLDER", List.of())).contains("paths is empty");
        assertThat(rejected("IMPORT_FOLDER", List.of("archive"))).contains("paths[0] 'archive' is relative");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/a/../etc"))).contains("paths[1]").contains("'..' segment");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a\nb"))).contains("control character");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/a"))).contains("repeats /a");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/b", "/c", "/d"))).contains("4 paths in one job, at most 3");
        assertThat(rejected("IMPORT_FOLDER", Collections.singletonList(null))).contains("paths[0] is empty");
    }
}

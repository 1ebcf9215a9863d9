package org.echostream.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
        assertThat(rejected("EXPORT", List.of("/a"))).contains("kind must be IMPORT_FOLDER or BACKFILL");
        assertThat(rejected("IMPORT_FOLDER", List.of())).contains("paths is empty");
        assertThat(rejected("IMPORT_FOLDER", List.of("archive"))).contains("paths[0] 'archive' is relative");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/a/../etc"))).contains("paths[1]").contains("'..' segment");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a\nb"))).contains("control character");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/a"))).contains("repeats /a");
        assertThat(rejected("IMPORT_FOLDER", List.of("/a", "/b", "/c", "/d"))).contains("4 paths in one job, at most 3");
        assertThat(rejected("IMPORT_FOLDER", Collections.singletonList(null))).contains("paths[0] is empty");
    }

    @Test
    void accepts_a_backfill_query_in_the_parameters_and_keeps_it_normalised() {
        var command = ((JobSubmission.Accepted) jobs.submit("BACKFILL", List.of(), Map.of("node", "hospital", "studyDateFrom", "2024-01-01",
                "studyDateTo", "2024-01-31", "modality", "US"), "admin")).command();
        assertThat(command.getKind()).isEqualTo("BACKFILL");
        assertThat(command.getJobId()).isEqualTo("job-7");
        assertThat(command.getPaths()).isEmpty();
        assertThat(command.getParameters()).containsEntry("node", "hospital").containsEntry("studyDateFrom", "2024-01-01")
                .containsEntry("studyDateTo", "2024-01-31");
    }

    @Test
    void refuses_a_backfill_that_can_never_be_right_with_the_reason() {
        assertThat(backfillRejected(Map.of("studyDateFrom", "2024-01-01"))).contains("node is missing");
        assertThat(backfillRejected(Map.of("node", "hospital"))).contains("would pull the whole archive");
        assertThat(backfillRejected(Map.of("node", "hospital", "patientIds", "P1", "modality", "MR"))).contains("modality US only");
        assertThat(backfillRejected(Map.of("node", "hospital", "studyDateFrom", "2024-02-01", "studyDateTo", "2024-01-01")))
                .contains("is after");
        assertThat(backfillRejected(Map.of("node", "hospital", "patientIds", "P1", "path", "/etc"))).contains("unknown parameter(s) path");
        assertThat(((JobSubmission.Rejected) jobs.submit("BACKFILL", List.of("/a"), Map.of("node", "h", "patientIds", "P1"), "admin")).reason())
                .contains("takes no paths");
        assertThat(((JobSubmission.Rejected) jobs.submit("IMPORT_FOLDER", List.of("/a"), Map.of("node", "h"), "admin")).reason())
                .contains("takes no parameters");
    }

    private String backfillRejected(Map<String, String> parameters) {
        JobSubmission s = jobs.submit("BACKFILL", List.of(), parameters, "admin");
        assertThat(s).isInstanceOf(JobSubmission.Rejected.class);
        return ((JobSubmission.Rejected) s).reason();
    }
}

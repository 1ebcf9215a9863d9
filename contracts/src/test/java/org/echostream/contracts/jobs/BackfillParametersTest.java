package org.echostream.contracts.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackfillParametersTest {

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String reason(BackfillParameters.Parsed parsed) {
        assertThat(parsed).isInstanceOf(BackfillParameters.Parsed.Invalid.class);
        return ((BackfillParameters.Parsed.Invalid) parsed).reason();
    }

    @Test
    void reads_a_date_range_query_and_writes_it_back_the_same() {
        var parsed = BackfillParameters.parse(params("node", "PACS1", "studyDateFrom", "2024-01-01", "studyDateTo", "2024-03-31", "modality", "US"));
        BackfillParameters q = ((BackfillParameters.Parsed.Valid) parsed).query();
        assertThat(q.node()).isEqualTo("PACS1");
        assertThat(q.studyDateFrom()).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(q.studyDateTo()).isEqualTo(LocalDate.of(2024, 3, 31));
        assertThat(BackfillParameters.parse(q.toParameters())).isEqualTo(parsed);
    }

    @Test
    void splits_id_lists_on_the_dicom_value_separator_and_drops_repeats() {
        var q = ((BackfillParameters.Parsed.Valid) BackfillParameters.parse(
                params("node", "pacs", "patientIds", "P-1\\P 2\\P-1", "accessionNumbers", "A1"))).query();
        assertThat(q.patientIds()).containsExactly("P-1", "P 2");
        assertThat(q.accessionNumbers()).containsExactly("A1");
        assertThat(q.describe()).contains("2 patient ID(s)").doesNotContain("P-1");
    }

    @Test
    void refuses_a_query_that_would_pull_the_whole_archive() {
        assertThat(reason(BackfillParameters.parse(params("node", "PACS1")))).contains("whole archive");
    }

    @Test
    void refuses_wildcards_in_ids_without_echoing_them() {
        String reason = reason(BackfillParameters.parse(params("node", "PACS1", "patientIds", "SMITH*")));
        assertThat(reason).contains("patientIds[0]").contains("'*'").doesNotContain("SMITH");
    }

    @Test
    void refuses_other_modalities_reversed_ranges_bad_dates_unknown_keys_and_bad_node_names() {
        assertThat(reason(BackfillParameters.parse(params("node", "P", "modality", "CT", "studyDateFrom", "2024-01-01")))).contains("US only");
        assertThat(reason(BackfillParameters.parse(params("node", "P", "studyDateFrom", "2024-02-01", "studyDateTo", "2024-01-01"))))
                .contains("is after");
        assertThat(reason(BackfillParameters.parse(params("node", "P", "studyDateFrom", "20240101")))).contains("YYYY-MM-DD");
        assertThat(reason(BackfillParameters.parse(params("node", "P", "studyDateFrom", "2024-01-01", "since", "x")))).contains("unknown parameter(s) since");
        assertThat(reason(BackfillParameters.parse(params("node", "../etc", "studyDateFrom", "2024-01-01")))).contains("not a node name");
        assertThat(reason(BackfillParameters.parse(params("studyDateFrom", "2024-01-01")))).contains("node is missing");
    }

    @Test
    void refuses_more_ids_than_one_job_may_query() {
        String many = String.join("\\", java.util.stream.IntStream.range(0, BackfillParameters.MAX_IDENTIFIERS + 1).mapToObj(i -> "P" + i).toList());
        assertThat(reason(BackfillParameters.parse(params("node", "P", "patientIds", many)))).contains("split it");
        assertThat(new BackfillParameters("P", null, null, List.of("A"), List.of()).toParameters()).containsEntry("patientIds", "A");
    }
}

package org.echostream.findings.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.echostream.findings.study.DicomText;
import org.junit.jupiter.api.Test;

class DerivedUidsTest {

    private static final String STUDY = "1.2.826.0.1.3680043.8.498.12345678901234567890123456789";

    @Test
    void the_same_study_and_version_give_the_same_uid() {
        assertThat(DerivedUids.srInstance(STUDY, "0123456789abcdef")).isEqualTo(DerivedUids.srInstance(STUDY, "0123456789abcdef"));
    }

    @Test
    void another_version_document_or_study_gives_another_uid() {
        String sr = DerivedUids.srInstance(STUDY, "0123456789abcdef");
        assertThat(DerivedUids.srInstance(STUDY, "0123456789abcdee")).isNotEqualTo(sr);
        assertThat(DerivedUids.kosInstance(STUDY, "0123456789abcdef")).isNotEqualTo(sr);
        assertThat(DerivedUids.srInstance(STUDY + "1", "0123456789abcdef")).isNotEqualTo(sr);
        assertThat(DerivedUids.srSeries(STUDY)).isNotEqualTo(DerivedUids.kosSeries(STUDY));
    }

    @Test
    void uids_are_valid_dicom_uids_in_the_uuid_arc() {
        for (String uid : new String[] {DerivedUids.srInstance(STUDY, "f"), DerivedUids.kosSeries(STUDY), DerivedUids.device("x")}) {
            assertThat(uid).startsWith("2.25.");
            assertThat(DicomText.isUid(uid)).as(uid).isTrue();
            assertThat(uid.length()).isLessThanOrEqualTo(44);
            // a version-5 UUID: the version nibble (bits 76-79 of the 128-bit integer) is 5
            BigInteger value = new BigInteger(uid.substring(5));
            assertThat(value.shiftRight(76).and(BigInteger.valueOf(0xf)).intValue()).isEqualTo(5);
        }
    }

    @Test
    void parts_are_joined_so_that_shifting_a_boundary_changes_the_uid() {
        assertThat(DerivedUids.of("a", "bc")).isNotEqualTo(DerivedUids.of("ab", "c"));
    }
}

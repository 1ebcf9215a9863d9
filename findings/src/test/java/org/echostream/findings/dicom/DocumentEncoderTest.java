package org.echostream.findings.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.echostream.contracts.StudyRecord;
import org.echostream.findings.report.DerivedUids;
import org.echostream.findings.report.DocumentKind;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.Findings;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.report.SrDocument;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.dicom.net.testing.Dciodvfy;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The encoded documents as a validator and a DICOM reader see them. They are left in target/documents for a look
 * with dsrdump or dcmdump.
 */
class DocumentEncoderTest {

    private static final Path DIR = Path.of("target", "documents");
    private static final String STUDY = "1.2.826.0.1.3680043.8.498.77";

    @BeforeEach
    void folder() throws Exception {
        Files.createDirectories(DIR);
    }

    static Findings findings(EchoStudy study, Optional<SrDocument.DocumentRef> predecessor) {
        var book = study.into(new StudyBook(), EchoStudy.T0);
        var ready = (Assessment.Ready) book.assess(study.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(5));
        var settings = new DocumentSettings(9901, 9902, new Equipment("echostream", "echostream findings", "0.1.0", "echostream", "2.25.1234"));
        return new FindingsBuilder(settings).build(ready.result(), predecessor);
    }

    @Test
    void the_measurement_report_passes_dciodvfy_without_errors() throws Exception {
        var doc = new DocumentEncoder().encode(findings(new EchoStudy(STUDY), Optional.empty()).report());

        var verdict = Dciodvfy.check(doc.part10(), DIR, "sr.dcm");

        assertThat(verdict.output()).contains("ComprehensiveSR");
        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
    }

    @Test
    void the_key_object_selection_passes_dciodvfy_without_errors() throws Exception {
        var doc = new DocumentEncoder().encode(findings(new EchoStudy(STUDY), Optional.empty()).keyImages().orElseThrow());

        var verdict = Dciodvfy.check(doc.part10(), DIR, "kos.dcm");

        assertThat(verdict.output()).contains("KeyObjectSelectionDocument");
        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
    }

    @Test
    void a_report_with_a_predecessor_a_non_ascii_name_and_no_events_passes_dciodvfy() throws Exception {
        EchoStudy echo = new EchoStudy(STUDY);
        echo.record = StudyRecord.newBuilder(echo.record).setPatientName("Müller^Zoë").setStudyDate("2026-03-02").build();
        echo.events.clear();
        var predecessor = new SrDocument.DocumentRef(DerivedUids.srSeries(STUDY), DocumentKind.COMPREHENSIVE_SR.sopClassUid(), "2.25.42");
        var doc = new DocumentEncoder().encode(findings(echo, Optional.of(predecessor)).report());

        var verdict = Dciodvfy.check(doc.part10(), DIR, "sr-replacing.dcm");

        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
        AttributeList read = read(doc.part10());
        assertThat(read.get(TagFromName.PatientName).getSingleStringValueOrEmptyString()).isEqualTo("Müller^Zoë");
        // a study date that is not a DICOM DA is left empty rather than copied into an invalid document
        assertThat(read.get(TagFromName.StudyDate).getSingleStringValueOrEmptyString()).isEmpty();
        assertThat(uidsIn((SequenceAttribute) read.get(TagFromName.PredecessorDocumentsSequence))).containsExactly("2.25.42");
    }

    @Test
    void the_report_files_itself_in_the_source_study_and_lists_its_evidence() throws Exception {
        EchoStudy echo = new EchoStudy(STUDY);
        Findings f = findings(echo, Optional.empty());
        AttributeList sr = read(new DocumentEncoder().encode(f.report()).part10());

        assertThat(sr.get(TagFromName.StudyInstanceUID).getSingleStringValueOrEmptyString()).isEqualTo(STUDY);
        assertThat(sr.get(TagFromName.PatientID).getSingleStringValueOrEmptyString()).isEqualTo("ES-0042");
        assertThat(sr.get(TagFromName.AccessionNumber).getSingleStringValueOrEmptyString()).isEqualTo("ACC-7");
        assertThat(sr.get(TagFromName.Modality).getSingleStringValueOrEmptyString()).isEqualTo("SR");
        assertThat(sr.get(TagFromName.SOPInstanceUID).getSingleStringValueOrEmptyString()).isEqualTo(f.report().sopInstanceUid());
        assertThat(sr.get(TagFromName.SeriesInstanceUID).getSingleStringValueOrEmptyString()).isNotIn(echo.a4c, echo.plax);
        assertThat(uidsIn((SequenceAttribute) sr.get(TagFromName.CurrentRequestedProcedureEvidenceSequence)))
                .containsExactlyInAnyOrder(echo.a4c + ".1", echo.a4c + ".2", echo.plax + ".1");
    }

    @Test
    void encoding_the_same_result_twice_gives_the_same_bytes() {
        byte[] once = new DocumentEncoder().encode(findings(new EchoStudy(STUDY), Optional.empty()).report()).part10();
        byte[] again = new DocumentEncoder().encode(findings(new EchoStudy(STUDY), Optional.empty()).report()).part10();

        assertThat(again).isEqualTo(once);
    }

    @Test
    void the_bare_data_sets_read_back_in_both_transfer_syntaxes() throws Exception {
        var doc = new DocumentEncoder().encode(findings(new EchoStudy(STUDY), Optional.empty()).report());

        for (String syntax : List.of(EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN, EncodedDocument.IMPLICIT_VR_LITTLE_ENDIAN)) {
            AttributeList list = new AttributeList();
            list.read(new DicomInputStream(new ByteArrayInputStream(doc.dataSet(syntax)), syntax, false));
            assertThat(list.get(TagFromName.SOPInstanceUID).getSingleStringValueOrEmptyString()).as(syntax).isEqualTo(doc.sopInstanceUid());
            assertThat(list.get(TagFromName.TransferSyntaxUID)).as("no file meta information in a C-STORE data set").isNull();
        }
    }

    static AttributeList read(byte[] part10) throws Exception {
        AttributeList list = new AttributeList();
        list.read(new DicomInputStream(new ByteArrayInputStream(part10)));
        return list;
    }

    /** Referenced SOP Instance UIDs of a Hierarchical SOP Instance Reference sequence. */
    static List<String> uidsIn(SequenceAttribute studies) {
        List<String> uids = new ArrayList<>();
        for (int s = 0; s < studies.getNumberOfItems(); s++) {
            var series = (SequenceAttribute) studies.getItem(s).getAttributeList().get(TagFromName.ReferencedSeriesSequence);
            for (int i = 0; i < series.getNumberOfItems(); i++) {
                var sops = (SequenceAttribute) series.getItem(i).getAttributeList().get(TagFromName.ReferencedSOPSequence);
                for (int j = 0; j < sops.getNumberOfItems(); j++) {
                    uids.add(sops.getItem(j).getAttributeList().get(TagFromName.ReferencedSOPInstanceUID).getSingleStringValueOrEmptyString());
                }
            }
        }
        return uids;
    }
}

package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;

class InstanceProcessorTest {

    private static final Provenance FROM_FILE = Provenance.file("job-1", Pipelines.T0);
    private static final SpooledFile SPOOLED = new SpooledFile(Path.of("/spool/ab/ab12.dcm"), "file:///spool/ab/ab12.dcm", "ab12", 10);

    private final InstanceProcessor processor = Pipelines.processor(TestFiles.shape());

    @Test
    void a_synthetic_echo_loop_becomes_clips_with_provenance() {
        byte[] file = new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.3.4", true, true, 70);
        ProcessedInstance p = processor.process(ByteBuffer.wrap(file), FROM_FILE, SPOOLED);
        assertThat(p.verdict().verdict()).isEqualTo(Verdict.CLIPS);
        assertThat(p.clips()).hasSize(3);
        var clip = p.clips().get(2);
        assertThat(clip.getRef().getSeriesInstanceUid()).isEqualTo("1.2.3.4.2");
        assertThat(clip.getRef().getClipIndex()).isEqualTo(2);
        assertThat(clip.getRef().getFirstFrame()).isEqualTo(32);
        assertThat(clip.getClipsInLoop()).isEqualTo(3);
        assertThat(clip.getPixels().remaining()).isEqualTo(16 * 64 * 64);
        assertThat(clip.getPreprocessingVersion()).isEqualTo("prep-1");
        assertThat(clip.getModelName()).isEqualTo("test-echojepa");
        assertThat(clip.getModelVersion()).isEqualTo("0.0.0-test");
        assertThat(clip.getSpoolUri()).isEqualTo(SPOOLED.uri());
        assertThat(clip.getHeartRateBpm()).isEqualTo(70.0);
        assertThat(clip.getCrop().getRegionSource()).isEqualTo(org.echostream.contracts.RegionSource.ULTRASOUND_REGIONS);
        assertThat(p.instance().getVerdict()).isEqualTo(Verdict.CLIPS);
        assertThat(p.instance().getClipCount()).isEqualTo(3);
        assertThat(p.instance().getTransferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.5");
        assertThat(p.instance().getSourceKind()).isEqualTo("FILE");
        assertThat(p.instance().getSource()).isEqualTo("job-1");
        assertThat(p.deadLetter()).isNull();
    }

    @Test
    void patient_identifiers_appear_in_the_study_record_only() {
        byte[] file = new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.3.4", true, false, 70);
        ProcessedInstance p = processor.process(ByteBuffer.wrap(file), FROM_FILE, SPOOLED);
        assertThat(p.study().getPatientName()).isEqualTo("DOE^JANE");
        assertThat(p.study().getPatientId()).isEqualTo("PID-4711");
        assertThat(p.instance().toString()).doesNotContain("DOE").doesNotContain("PID-4711");
        var withoutPixels = org.echostream.contracts.Clip.newBuilder(p.clips().get(0)).setPixels(ByteBuffer.allocate(0)).build();
        assertThat(withoutPixels.toString()).doesNotContain("DOE").doesNotContain("PID-4711");
        assertThat(p.facts().toString()).doesNotContain("DOE").doesNotContain("PID-4711");
    }

    @Test
    void vendor_samples_get_the_verdicts_their_content_calls_for() {
        assertThat(verdictOf("US-PAL-8-10x-echo.dcm")).isEqualTo("NOT_SCORED TOO_FEW_FRAMES");
        assertThat(verdictOf("OBXXXX1A_rle_2frame.dcm")).isEqualTo("NOT_SCORED NON_CARDIAC");
        assertThat(verdictOf("US1_UNCR.dcm")).isEqualTo("NOT_SCORED NON_CARDIAC"); // SMALL PARTS
        assertThat(verdictOf("gdcm-US-ALOKA-16.dcm")).isEqualTo("NOT_SCORED NON_CARDIAC"); // ABDOM/RAD
        assertThat(Pipelines.processor(TestFiles.shortShape()).process(TestFiles.read(TestFiles.ECHO_CINE), FROM_FILE, SPOOLED)
                .verdict().verdict()).isEqualTo(Verdict.CLIPS);
    }

    @Test
    void other_modalities_still_frames_and_objects_without_pixels_are_not_scored() {
        assertThat(verdictOfPydicom("MR_small.dcm")).isEqualTo("NOT_SCORED NOT_ULTRASOUND");
        assertThat(verdictOfPydicom("reportsi.dcm")).isEqualTo("NOT_SCORED NO_PIXEL_DATA");
        byte[] still = new SyntheticEcho(40, 40, 1, 40, 0.8).toPart10("1.2.3.5", false, false, null);
        assertThat(processor.process(ByteBuffer.wrap(still), FROM_FILE, SPOOLED).verdict().reasonCode()).isEqualTo("SINGLE_FRAME");
    }

    @Test
    void a_rejected_instance_gets_its_instance_record_and_a_dead_letter_without_pixels_or_names() {
        ProcessedInstance p = processor.process(TestFiles.read(TestFiles.PYDICOM.resolve("MR_truncated.dcm")),
                Provenance.cstore("MODALITY1", Pipelines.T0), SPOOLED);
        assertThat(p.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(p.instance().getReasonCode()).isEqualTo("TRUNCATED_PIXEL_DATA");
        assertThat(p.deadLetter().getReasonCode()).isEqualTo("TRUNCATED_PIXEL_DATA");
        assertThat(p.deadLetter().getReasonDetail()).contains("(7FE0,0010)");
        assertThat(p.deadLetter().getSourceKind()).isEqualTo("DICOM_ASSOCIATION");
        assertThat(p.deadLetter().getCallingAeTitle()).isEqualTo("MODALITY1");
        assertThat(p.deadLetter().getSourceUri()).isEqualTo(SPOOLED.uri());
        assertThat(p.deadLetter().getPayloadSha256()).isEqualTo("ab12");
        assertThat(p.deadLetter().getSopInstanceUid()).isEqualTo(p.instance().getSopInstanceUid());
        assertThat(p.clips()).isEmpty();
    }

    @Test
    void an_unidentifiable_object_gets_only_a_dead_letter() {
        ProcessedInstance p = processor.process(ByteBuffer.wrap("garbage".getBytes()), FROM_FILE, SPOOLED);
        assertThat(p.verdict().reasonCode()).isEqualTo("NOT_DICOM");
        assertThat(p.instance()).isNull();
        assertThat(p.study()).isNull();
        assertThat(p.deadLetter().getSourceKind()).isEqualTo("FILE");
    }

    private String verdictOf(String sample) {
        ProcessedInstance p = processor.process(TestFiles.read(TestFiles.SAMPLES.resolve(sample)), FROM_FILE, SPOOLED);
        return p.verdict().verdict() + " " + p.verdict().reasonCode();
    }

    private String verdictOfPydicom(String name) {
        ProcessedInstance p = processor.process(TestFiles.read(TestFiles.PYDICOM.resolve(name)), FROM_FILE, SPOOLED);
        return p.verdict().verdict() + " " + p.verdict().reasonCode();
    }
}

package org.echostream.findings.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.TokenRegion;
import org.echostream.contracts.Verdict;
import org.echostream.findings.study.StudyBook;

/**
 * A finalised echo study as the other services would have written it: two scored series (A4C flagged with two
 * events on its first loop, PLAX not flagged), a third loop in A4C, and one still image that was not scored.
 * Tests change what they need with the withers and feed the records to a {@link StudyBook} or to Kafka.
 */
public final class EchoStudy {

    public static final Instant T0 = Instant.parse("2026-03-02T09:30:00Z");
    public static final String US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1";
    public static final String US_IMAGE = "1.2.840.10008.5.1.4.1.1.6.1";
    public static final ModelRef MODEL = new ModelRef("echojepa-sim-tiny", "0.1.0", "e".repeat(64), "f".repeat(64), "c".repeat(64));

    public final String study;
    public final String a4c;
    public final String plax;
    public StudyRecord record;
    public StudyStatus status;
    public final List<InstanceRecord> instances = new ArrayList<>();
    public final List<SeriesSummary> summaries = new ArrayList<>();
    public final List<AnomalyEvent> events = new ArrayList<>();

    public EchoStudy(String study) {
        this.study = study;
        this.a4c = study + ".1";
        this.plax = study + ".2";
        record = new StudyRecord(study, "ES-0042", "Doe^Jane", "19610412", "F", "ACC-7", "20260302", "092900", "Echo TTE",
                "Simulated Hospital", T0);
        instances.add(loop(a4c, a4c + ".1", 4, "A4C", 60, 33.3));
        instances.add(loop(a4c, a4c + ".2", 4, "A4C", 45, 33.3));
        instances.add(loop(plax, plax + ".1", 5, "PLAX", 50, 40.0));
        instances.add(InstanceRecord.newBuilder(loop(plax, plax + ".9", 5, "PLAX", 1, 0))
                .setSopClassUid(US_IMAGE).setFrameTimeMillis(null).setVerdict(Verdict.NOT_SCORED).setReasonCode("SINGLE_FRAME").setClipCount(0)
                .build());
        summaries.add(summary(a4c, 0.91, true, 2));
        summaries.add(summary(plax, 0.12, false, 0));
        events.add(event(a4c + ".1", 1, 0.5, 1.2, 6.5));
        events.add(event(a4c + ".1", 4, 1.6, 1.9, 4.1));
        status = StudyStatus.newBuilder().setStudyInstanceUid(study).setState(StudyState.FINAL).setVersion(1)
                .setInstancesReceived(instances.size()).setInstancesExpected(null).setSeriesInstanceUids(List.of(a4c, plax))
                .setFinalReason("INACTIVITY").setLastInstanceAt(T0).setFinalisedAt(T0.plusSeconds(60)).setUpdatedAt(T0.plusSeconds(60))
                .build();
    }

    public InstanceRecord loop(String series, String sop, int seriesNumber, String description, int frames, double frameTimeMillis) {
        return InstanceRecord.newBuilder()
                .setStudyInstanceUid(study).setSeriesInstanceUid(series).setSopInstanceUid(sop).setSopClassUid(US_MULTIFRAME)
                .setTransferSyntaxUid("1.2.840.10008.1.2.4.50").setModality("US").setSeriesNumber(seriesNumber).setSeriesDescription(description)
                .setRows(480).setColumns(640).setFrames(frames).setFrameTimeMillis(frameTimeMillis).setFrameTimeSource("FrameTime")
                .setVerdict(Verdict.CLIPS).setClipCount(3).setSourceKind("CSTORE").setSource("MODALITY1").setPreprocessingVersion("prep-1")
                .setModelName(MODEL.getName()).setModelVersion(MODEL.getVersion()).setReceivedAt(T0)
                .build();
    }

    public SeriesSummary summary(String series, double score, boolean flagged, int events) {
        return SeriesSummary.newBuilder()
                .setStudyInstanceUid(study).setSeriesInstanceUid(series).setAnomalyScore(score).setFlagged(flagged).setClipCount(9)
                .setEventCount(events).setMeanSurprise(0.31).setPeakScore(flagged ? 6.5 : 0.8).setNormativeScore(flagged ? 2.4 : null)
                .setStatus(SeriesStatus.CLOSED).setModel(MODEL).setPreprocessingVersion("prep-1").setFirstClipAt(T0).setUpdatedAt(T0.plusSeconds(70))
                .build();
    }

    public AnomalyEvent event(String sop, int firstClip, double start, double end, double peak) {
        String series = instances.stream().filter(i -> i.getSopInstanceUid().equals(sop)).findFirst().orElseThrow().getSeriesInstanceUid();
        return AnomalyEvent.newBuilder()
                .setEventId(sop + "/" + firstClip).setStudyInstanceUid(study).setSeriesInstanceUid(series).setSopInstanceUid(sop)
                .setFirstClipIndex(firstClip).setLastClipIndex(firstClip + 1).setFirstFrame(firstClip * 8).setLastFrame(firstClip * 8 + 23)
                .setStartSeconds(start).setEndSeconds(end).setPeakScore(peak).setMeanScore(peak * 0.7)
                .setRegion(new TokenRegion(2, 4, 1, 3, new PixelRegion(120, 200, 90, 70))).setRule("k-of-n(k=2,n=3,q=0.99)")
                .setModel(MODEL).setPreprocessingVersion("prep-1").setDetectedAt(T0.plusSeconds(65))
                .build();
    }

    /** Applies every record, in topic order, at {@code at}. */
    public StudyBook into(StudyBook book, Instant at) {
        book.applyStudy(study, record, at);
        instances.forEach(i -> book.applyInstance(i.getSopInstanceUid(), i, at));
        summaries.forEach(s -> book.applySummary(s.getSeriesInstanceUid(), s, at));
        events.forEach(e -> book.applyEvent(e.getSeriesInstanceUid(), e, at));
        book.applyStatus(study, status, at);
        return book;
    }
}

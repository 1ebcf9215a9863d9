package org.echostream.contracts;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One fully populated value of every contract type: every optional field set, no field at its default,
 * so a round trip that drops or mangles any field is visible.
 */
public final class ContractSamples {

    public static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123Z");
    public static final String STUDY = "1.2.826.0.1.3680043.8.498.1";
    public static final String SERIES = "1.2.826.0.1.3680043.8.498.1.2";
    public static final String SOP = "1.2.826.0.1.3680043.8.498.1.2.3";

    private ContractSamples() {
    }

    public static List<SpecificRecordBase> all() {
        return List.of(study(), studyStatus(), instance(), clip(), latents(), surprise(), event(), summary(), deadLetter(), audit(),
                jobCommand(), jobStatus(), findingsDelivery(), feedback());
    }

    public static ModelRef model() {
        return new ModelRef("echojepa-sim-tiny", "1.2.3", "a".repeat(64), "b".repeat(64), "c".repeat(64));
    }

    public static ClipRef ref(int index) {
        return new ClipRef(STUDY, SERIES, SOP, index, 16 * index, 16, 1.25 * index, 1.25 * index + 1.171875);
    }

    public static CropGeometry crop() {
        return new CropGeometry(new PixelRegion(60, 40, 500, 380), RegionSource.ULTRASOUND_REGIONS, 0.224, 0, 13, 640, 480);
    }

    public static StudyRecord study() {
        return new StudyRecord(STUDY, "SIM-0001", "Simulated^Patient", "19700101", "O", "ACC-42", "20261121", "101530",
                "Echo TTE", "Simulated Hospital", T0);
    }

    public static StudyStatus studyStatus() {
        return StudyStatus.newBuilder()
                .setStudyInstanceUid(STUDY).setState(StudyState.FINAL).setVersion(2).setInstancesReceived(12)
                .setInstancesExpected(12).setSeriesInstanceUids(List.of(SERIES, SERIES + ".9"))
                .setFinalReason("ANNOUNCED_COUNT_REACHED").setLastInstanceAt(T0).setReleasedAt(T0.plusSeconds(2)).setFinalisedAt(T0.plusSeconds(60))
                .setUpdatedAt(T0.plusSeconds(61))
                .build();
    }

    public static InstanceRecord instance() {
        return InstanceRecord.newBuilder()
                .setStudyInstanceUid(STUDY).setSeriesInstanceUid(SERIES).setSopInstanceUid(SOP)
                .setSopClassUid("1.2.840.10008.5.1.4.1.1.3.1").setTransferSyntaxUid("1.2.840.10008.1.2.5")
                .setModality("US").setManufacturer("echostream-sim").setSeriesNumber(7).setSeriesDescription("A4C")
                .setPhotometricInterpretation("PALETTE COLOR").setRows(430).setColumns(600).setFrames(10)
                .setFrameTimeMillis(76.0).setFrameTimeSource("FrameTime").setHeartRateBpm(72.0).setHeartRateSource("HeartRate")
                .setCrop(crop()).setVerdict(Verdict.NOT_SCORED).setReasonCode("TOO_FEW_FRAMES")
                .setReasonDetail("10 frames at 13.2 fps give 0 clips of 16 frames").setClipCount(3)
                .setSpoolUri("file:///spool/ab/cd.dcm").setSourceKind("CSTORE").setSource("MODALITY1")
                .setPreprocessingVersion("prep-1").setModelName("echojepa-sim-tiny").setModelVersion("1.2.3")
                .setReceivedAt(T0)
                .build();
    }

    public static Clip clip() {
        byte[] pixels = new byte[2 * 3 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11 - 100);
        }
        return Clip.newBuilder()
                .setRef(ref(2)).setClipsInLoop(5).setFps(12.8)
                .setFrameTimestamps(List.of(2.5, 2.578125)).setSourceFrameIndices(List.of(75, 78))
                .setHeartRateBpm(64.5).setHeartRateSource("ESTIMATED")
                .setFrames(2).setHeight(3).setWidth(4).setPixels(ByteBuffer.wrap(pixels))
                .setCrop(crop()).setPreprocessingVersion("prep-1").setModelName("echojepa-sim-tiny").setModelVersion("1.2.3")
                .setSpoolUri("file:///spool/ab/cd.dcm").setCreatedAt(T0)
                .build();
    }

    public static ClipLatents latents() {
        return ClipLatents.newBuilder()
                .setRef(ref(1)).setClipsInLoop(5).setTokenGrid(List.of(8, 7, 7)).setLatentDim(4)
                .setTokenEncoding(TokenEncoding.FLOAT16)
                .setObservedTokens(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .setPooledEmbedding(List.of(0.5f, -1.25f, 3.0f, 1e-3f)).setPredictedFirstFrame(32)
                .setPredictedTokens(ByteBuffer.wrap(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}))
                .setFps(12.8).setHeartRateBpm(61.0).setCrop(crop()).setModel(model()).setPreprocessingVersion("prep-1")
                .setTiming(new InferenceTiming(4, 180.5, 22.25, "CPU")).setProducedAt(T0)
                .build();
    }

    public static ClipSurprise surprise() {
        return ClipSurprise.newBuilder()
                .setRef(ref(2)).setPredictedFromClipIndex(1).setTokenGrid(List.of(1, 2, 2))
                .setTokenSurprise(List.of(0.1f, 0.2f, 0.3f, 0.4f)).setClipSurprise(0.25).setClipScore(1.7)
                .setNormativeScore(0.9).setCrop(crop()).setFps(12.8).setModel(model()).setPreprocessingVersion("prep-1")
                .setComputedAt(T0)
                .build();
    }

    public static AnomalyEvent event() {
        return AnomalyEvent.newBuilder()
                .setEventId(SOP + "/3").setStudyInstanceUid(STUDY).setSeriesInstanceUid(SERIES).setSopInstanceUid(SOP)
                .setFirstClipIndex(3).setLastClipIndex(5).setFirstFrame(48).setLastFrame(95)
                .setStartSeconds(3.75).setEndSeconds(7.42).setPeakScore(6.5).setMeanScore(4.2)
                .setRegion(new TokenRegion(2, 4, 1, 3, new PixelRegion(120, 200, 90, 70)))
                .setRule("cusum(k=0.5,h=4.0)").setModel(model()).setPreprocessingVersion("prep-1").setDetectedAt(T0)
                .build();
    }

    public static SeriesSummary summary() {
        return SeriesSummary.newBuilder()
                .setStudyInstanceUid(STUDY).setSeriesInstanceUid(SERIES).setAnomalyScore(0.83).setFlagged(true)
                .setClipCount(6).setEventCount(1).setMeanSurprise(0.31).setPeakScore(6.5).setNormativeScore(2.2)
                .setStatus(SeriesStatus.CLOSED).setModel(model()).setPreprocessingVersion("prep-1")
                .setFirstClipAt(T0).setUpdatedAt(T0.plusSeconds(30))
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setService("ingest").setReasonCode("TRUNCATED_PIXEL_DATA")
                .setReasonDetail("frame 17 declares 4,194,304 bytes, file has 52,110 left").setSourceKind("DICOM_ASSOCIATION")
                .setSourceTopic("echostream.clips.v1").setSourcePartition(2).setSourceOffset(12345L).setSourceKey(SERIES)
                .setSourceUri("file:///spool/rejected/x.dcm").setCallingAeTitle("MODALITY1").setSopInstanceUid(SOP)
                .setPayloadSha256("c".repeat(64)).setPayloadBytes(52110L).setOccurredAt(T0)
                .build();
    }

    public static AuditRecord audit() {
        return AuditRecord.newBuilder()
                .setEventId("f7c1e2a0").setOccurredAt(T0).setPrincipal("dr.house").setRoles(List.of("clinician", "admin"))
                .setAction("GET /api/v1/series/{seriesInstanceUid}").setResourceType("series").setResourceId(SERIES)
                .setOutcome(AuditOutcome.DENIED).setHttpStatus(403).setClientAddress("10.0.0.7").setRequestId("req-9")
                .setStudyInstanceUids(List.of(STUDY)).setAttemptedUser("dr.house")
                .build();
    }

    public static JobCommand jobCommand() {
        return JobCommand.newBuilder()
                .setJobId("job-1").setKind("IMPORT_FOLDER").setPaths(List.of("/archive/2019", "/archive/2020"))
                .setParameters(Map.of("throttle", "20")).setRequestedBy("admin").setRequestedAt(T0)
                .build();
    }

    public static JobStatus jobStatus() {
        return JobStatus.newBuilder()
                .setJobId("job-1").setKind("IMPORT_FOLDER").setState(JobState.RUNNING).setTotal(1000L)
                .setIngested(400).setSkipped(12).setRejected(3).setRejectedByReason(Map.of("NOT_DICOM", 2L, "TRUNCATED_PIXEL_DATA", 1L))
                .setFailed(1).setFailedByReason(Map.of("RETRIEVE_FAILED", 1L)).setStudiesTotal(40L).setStudiesDone(16L)
                .setBytes(123_456_789L).setItemsPerSecond(18.5).setEtaSeconds(31.0).setCursor("file-0415")
                .setMessage("importing /archive/2020").setStartedAt(T0).setUpdatedAt(T0.plusSeconds(22))
                .build();
    }

    public static FindingsDelivery findingsDelivery() {
        return FindingsDelivery.newBuilder()
                .setStudyInstanceUid(STUDY).setResultVersion("9f86d081884c7d65").setStudyStatusVersion(2)
                .setDestination("pacs").setTransport("DIMSE").setState(DeliveryState.RETRYING)
                .setSrSopInstanceUid("2.25.201966371519378345263393651437151284631")
                .setKosSopInstanceUid("2.25.127620339839224542093407286637101437185")
                .setSupersedesSrSopInstanceUid("2.25.330455624536279911488358838385366226123")
                .setSeriesReported(3).setSeriesFlagged(1).setInstancesReferenced(7).setAttempts(2)
                .setReasonCode("CONNECTION_FAILED").setReasonDetail("destination pacs (PACS@10.0.0.9:104): connection refused")
                .setNextAttemptAt(T0.plusSeconds(20)).setUpdatedAt(T0.plusSeconds(10))
                .build();
    }

    public static SeriesFeedback feedback() {
        return SeriesFeedback.newBuilder()
                .setSeriesInstanceUid(SERIES).setStudyInstanceUid(STUDY).setRevision(2)
                .setEntries(List.of(FeedbackEntry.newBuilder()
                        .setEntryId("0b6f3c1e-8d1a-4c55-9a0e-5d1f2f0f7a11").setEventId("evt-1").setClinician("dr.house")
                        .setAnswer(FeedbackAnswer.DISAGREE).setFinding(FeedbackFinding.REGIONAL_WALL_MOTION_ABNORMALITY).setSegment(7)
                        .setComment("apical lateral hypokinesis").setFlaggedWhenAnswered(true).setScoreWhenAnswered(3.4)
                        .setModel(model()).setAnsweredAt(T0)
                        .build()))
                .setUpdatedAt(T0.plusSeconds(1))
                .build();
    }
}

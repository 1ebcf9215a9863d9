package org.echostream.api;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.ContractSamples;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.InferenceTiming;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobState;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.TokenRegion;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;

/**
 * A small, realistic hospital day on the topics, built like {@link ContractSamples}: four studies, one of
 * them with a flagged series (a surprise hot spot and an event over clips 3-5), one still being scored and
 * one that could not be scored. Clips carry a synthetic sector (fan, speckle, a beating chamber) so the
 * cine loop and keyframes show something a person recognises. Deterministic: fixed seeds and instants.
 */
public final class EchoFixtures {

    public static final Instant T0 = ContractSamples.T0;
    static final String ROOT = "1.2.826.0.1.3680043.8.498.77";

    public static final String FLAGGED_STUDY = ROOT + ".1";
    public static final String FLAGGED_SERIES = ROOT + ".1.1";
    public static final String FLAGGED_SOP = ROOT + ".1.1.1";
    public static final String FLAGGED_PATIENT = "Fixture^Flagged";
    public static final String CALM_SERIES_OF_FLAGGED_STUDY = ROOT + ".1.2";
    public static final String NORMAL_STUDY = ROOT + ".2";
    public static final String NORMAL_SERIES = ROOT + ".2.1";
    public static final String PENDING_STUDY = ROOT + ".3";
    public static final String PENDING_SERIES = ROOT + ".3.1";
    public static final String UNSCORED_STUDY = ROOT + ".4";
    public static final String UNSCORED_SERIES = ROOT + ".4.1";
    public static final String JOB_ID = "job-fixture-1";

    public static final int FRAMES = 16;
    public static final int SIZE = 112;
    public static final List<Integer> GRID = List.of(8, 7, 7);
    public static final int CLIPS = 6;
    public static final double FPS = 12.8;
    static final int DIM = 16;

    private EchoFixtures() {
    }

    public static ModelRef model() {
        return ContractSamples.model();
    }

    public static CropGeometry crop() {
        return new CropGeometry(new PixelRegion(80, 60, 480, 480), RegionSource.ULTRASOUND_REGIONS, SIZE / 480.0, 0, 0, 640, 480);
    }

    /** Every fixture record, in an order a real pipeline could produce. */
    public static List<ProducerRecord<String, byte[]>> records() {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        study(out, FLAGGED_STUDY, FLAGGED_PATIENT, "SIM-1001", "20261120", "Echo TTE rest");
        study(out, NORMAL_STUDY, "Fixture^Normal", "SIM-1002", "20261119", "Echo TTE follow-up");
        study(out, PENDING_STUDY, "Fixture^Pending", "SIM-1003", "20261118", "Echo TTE");
        study(out, UNSCORED_STUDY, "Fixture^Unscored", "SIM-1004", "20261117", "Echo TTE still");

        double[] flaggedScores = {0.7, 1.0, 4.6, 6.2, 5.1};
        loop(out, FLAGGED_STUDY, FLAGGED_SERIES, FLAGGED_SOP, "A4C", 1, flaggedScores, true, 0.0f);
        summary(out, FLAGGED_STUDY, FLAGGED_SERIES, 0.91, true, 5, 1, 6.2);
        event(out, FLAGGED_STUDY, FLAGGED_SERIES, FLAGGED_SOP, 3, 5);

        String calmSop = CALM_SERIES_OF_FLAGGED_STUDY + ".1";
        loop(out, FLAGGED_STUDY, CALM_SERIES_OF_FLAGGED_STUDY, calmSop, "PLAX", 2, new double[] {0.6, 0.9, 0.8, 1.1, 0.7}, false, 0.05f);
        summary(out, FLAGGED_STUDY, CALM_SERIES_OF_FLAGGED_STUDY, 0.18, false, 5, 0, 1.1);

        loop(out, NORMAL_STUDY, NORMAL_SERIES, NORMAL_SERIES + ".1", "A4C", 1, new double[] {0.5, 0.8, 1.2, 0.9, 0.6}, false, 0.1f);
        summary(out, NORMAL_STUDY, NORMAL_SERIES, 0.27, false, 5, 0, 1.2);

        // Clips cut and embedded, no score yet: the anomaly service has not caught up. Its embedding points elsewhere.
        instance(out, PENDING_STUDY, PENDING_SERIES, PENDING_SERIES + ".1", "A2C", 3, Verdict.CLIPS, CLIPS, null, null);
        for (int k = 0; k < CLIPS; k++) {
            ClipRef ref = ref(PENDING_STUDY, PENDING_SERIES, PENDING_SERIES + ".1", k);
            List<Float> elsewhere = new ArrayList<>();
            for (int i = 0; i < DIM; i++) {
                elsewhere.add((float) Math.sin(i * 2.1 + 0.3 * k));
            }
            out.add(record(Topics.LATENTS, PENDING_SERIES, latents(ref, elsewhere)));
        }
        // A still image: kept, not scored, with the reason.
        instance(out, UNSCORED_STUDY, UNSCORED_SERIES, UNSCORED_SERIES + ".1", "PLAX still", 1, Verdict.NOT_SCORED, 0,
                "SINGLE_FRAME", "1 frame: a cine loop needs at least 16 frames at 12.8 fps");

        // ingest's completeness: the flagged study is final, the pending one may still grow, the others were never tracked
        out.add(record(Topics.STUDY_STATUS, FLAGGED_STUDY, StudyStatus.newBuilder().setStudyInstanceUid(FLAGGED_STUDY).setState(StudyState.FINAL)
                .setVersion(1).setInstancesReceived(2).setInstancesExpected(2).setSeriesInstanceUids(List.of(FLAGGED_SERIES,
                        CALM_SERIES_OF_FLAGGED_STUDY)).setFinalReason("ANNOUNCED_COUNT_REACHED").setLastInstanceAt(T0)
                .setFinalisedAt(T0.plusSeconds(1)).setUpdatedAt(T0.plusSeconds(1)).build()));
        out.add(record(Topics.STUDY_STATUS, PENDING_STUDY, StudyStatus.newBuilder().setStudyInstanceUid(PENDING_STUDY)
                .setState(StudyState.PROVISIONAL).setVersion(1).setInstancesReceived(1).setSeriesInstanceUids(List.of(PENDING_SERIES))
                .setLastInstanceAt(T0).setUpdatedAt(T0).build()));

        JobStatus job = JobStatus.newBuilder().setJobId(JOB_ID).setKind("IMPORT_FOLDER").setState(JobState.RUNNING).setTotal(40L)
                .setIngested(12).setSkipped(1).setRejected(1).setRejectedByReason(Map.of("NOT_DICOM", 1L)).setBytes(48_000_000L)
                .setItemsPerSecond(2.5).setEtaSeconds(10.4).setCursor("file-0014").setMessage("importing /archive/2019")
                .setStartedAt(T0).setUpdatedAt(T0.plusSeconds(6)).build();
        out.add(record(Topics.JOB_STATUS, JOB_ID, job));
        return out;
    }

    public static AnomalyEvent eventRecord(String study, String series, String sop, int firstClip, int lastClip, String eventId, Instant at) {
        return AnomalyEvent.newBuilder()
                .setEventId(eventId).setStudyInstanceUid(study).setSeriesInstanceUid(series).setSopInstanceUid(sop)
                .setFirstClipIndex(firstClip).setLastClipIndex(lastClip).setFirstFrame(firstClip * FRAMES).setLastFrame((lastClip + 1) * FRAMES - 1)
                .setStartSeconds(firstClip * FRAMES / FPS).setEndSeconds(((lastClip + 1) * FRAMES - 1) / FPS)
                .setPeakScore(6.2).setMeanScore(5.3)
                .setRegion(new TokenRegion(2, 4, 1, 3, new PixelRegion(80 + 69, 60 + 137, 206, 206)))
                .setRule("cusum(k=0.5,h=4.0)").setModel(model()).setPreprocessingVersion("prep-1").setDetectedAt(at)
                .build();
    }

    private static void study(List<ProducerRecord<String, byte[]>> out, String uid, String name, String id, String date, String description) {
        StudyRecord study = new StudyRecord(uid, id, name, "19600101", "O", "ACC-" + id.substring(4), date, "101530", description,
                "Simulated Hospital", T0);
        out.add(record(Topics.STUDIES, uid, study));
    }

    private static void instance(List<ProducerRecord<String, byte[]>> out, String study, String series, String sop, String description,
                                 int number, Verdict verdict, int clips, String reasonCode, String reasonDetail) {
        InstanceRecord instance = InstanceRecord.newBuilder()
                .setStudyInstanceUid(study).setSeriesInstanceUid(series).setSopInstanceUid(sop)
                .setSopClassUid("1.2.840.10008.5.1.4.1.1.3.1").setTransferSyntaxUid("1.2.840.10008.1.2.4.50")
                .setModality("US").setManufacturer("echostream-sim").setSeriesNumber(number).setSeriesDescription(description)
                .setPhotometricInterpretation("YBR_FULL_422").setRows(480).setColumns(640)
                .setFrames(verdict == Verdict.CLIPS ? CLIPS * FRAMES + 3 : 1)
                .setFrameTimeMillis(1000 / FPS).setFrameTimeSource("FrameTime").setHeartRateBpm(72.0).setHeartRateSource("HeartRate")
                .setCrop(crop()).setVerdict(verdict).setReasonCode(reasonCode).setReasonDetail(reasonDetail).setClipCount(clips)
                .setSpoolUri("file:///spool/" + sop + ".dcm").setSourceKind("CSTORE").setSource("SIM_MODALITY")
                .setPreprocessingVersion("prep-1").setModelName(model().getName()).setModelVersion(model().getVersion())
                .setReceivedAt(T0)
                .build();
        out.add(record(Topics.INSTANCES, sop, instance));
    }

    private static void loop(List<ProducerRecord<String, byte[]>> out, String study, String series, String sop, String description,
                             int number, double[] scores, boolean hotSpot, float embeddingShift) {
        instance(out, study, series, sop, description, number, Verdict.CLIPS, CLIPS, null, null);
        Random random = new Random(sop.hashCode());
        for (int k = 0; k < CLIPS; k++) {
            ClipRef ref = ref(study, series, sop, k);
            out.add(record(Topics.CLIPS, series, clip(ref, random)));
            out.add(record(Topics.LATENTS, series, latents(ref, embedding(k, embeddingShift, hotSpot))));
            if (k > 0) {
                out.add(record(Topics.SURPRISE, series, surprise(ref, scores[k - 1], hotSpot && scores[k - 1] > 3, random)));
            }
        }
    }

    static ClipRef ref(String study, String series, String sop, int k) {
        return new ClipRef(study, series, sop, k, k * FRAMES, FRAMES, k * FRAMES / FPS, (k * FRAMES + FRAMES - 1) / FPS);
    }

    static Clip clip(ClipRef ref, Random random) {
        byte[] pixels = new byte[FRAMES * SIZE * SIZE];
        for (int f = 0; f < FRAMES; f++) {
            double t = (ref.getFirstFrame() + f) / FPS;
            drawSector(pixels, f * SIZE * SIZE, t, random);
        }
        List<Double> times = new ArrayList<>();
        List<Integer> sources = new ArrayList<>();
        for (int f = 0; f < FRAMES; f++) {
            times.add((ref.getFirstFrame() + f) / FPS);
            sources.add(ref.getFirstFrame() + f);
        }
        return Clip.newBuilder()
                .setRef(ref).setClipsInLoop(CLIPS).setFps(FPS).setFrameTimestamps(times).setSourceFrameIndices(sources)
                .setHeartRateBpm(72.0).setHeartRateSource("HeartRate").setFrames(FRAMES).setHeight(SIZE).setWidth(SIZE)
                .setPixels(ByteBuffer.wrap(pixels)).setCrop(crop()).setPreprocessingVersion("prep-1")
                .setModelName(model().getName()).setModelVersion(model().getVersion())
                .setSpoolUri("file:///spool/" + ref.getSopInstanceUid() + ".dcm").setCreatedAt(T0)
                .build();
    }

    /** A fan-shaped sector with speckle and an elliptical chamber whose wall moves at 72 beats per minute. */
    static void drawSector(byte[] pixels, int offset, double t, Random random) {
        double apexX = SIZE / 2.0;
        double apexY = 4;
        double beat = 0.5 + 0.5 * Math.sin(2 * Math.PI * 1.2 * t);
        double rx = 17 + 5 * beat;
        double ry = 24 + 6 * beat;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x - apexX;
                double dy = y - apexY;
                double r = Math.hypot(dx, dy);
                double angle = Math.toDegrees(Math.atan2(dx, dy));
                int value = 0;
                if (dy > 0 && Math.abs(angle) < 38 && r < 104) {
                    double e = Math.hypot((x - 56) / rx, (y - 60) / ry);
                    double tissue = 55 + 25 * random.nextGaussian() * 0.6;
                    if (e < 1) {
                        tissue = 12 + 6 * random.nextDouble();
                    } else if (e < 1.35) {
                        tissue = 170 + 40 * random.nextDouble();
                    }
                    value = (int) Math.max(0, Math.min(255, tissue * (1 - r / 260)));
                }
                pixels[offset + y * SIZE + x] = (byte) value;
            }
        }
    }

    static ClipSurprise surprise(ClipRef ref, double score, boolean hotSpot, Random random) {
        List<Float> tokens = new ArrayList<>();
        for (int s = 0; s < GRID.get(0); s++) {
            for (int r = 0; r < GRID.get(1); r++) {
                for (int c = 0; c < GRID.get(2); c++) {
                    double base = 0.05 + 0.02 * random.nextDouble() + 0.01 * score;
                    boolean hot = hotSpot && r >= 2 && r <= 4 && c >= 1 && c <= 3;
                    tokens.add((float) (hot ? base + 0.12 * score * (1 - 0.15 * Math.hypot(r - 3, c - 2)) : base));
                }
            }
        }
        double mean = tokens.stream().mapToDouble(Float::doubleValue).average().orElse(0);
        return ClipSurprise.newBuilder()
                .setRef(ref).setPredictedFromClipIndex(ref.getClipIndex() - 1).setTokenGrid(GRID).setTokenSurprise(tokens)
                .setClipSurprise(mean).setClipScore(score).setNormativeScore(score / 2).setCrop(crop()).setFps(FPS)
                .setModel(model()).setPreprocessingVersion("prep-1").setComputedAt(T0.plusSeconds(ref.getClipIndex()))
                .build();
    }

    static List<Float> embedding(int clip, float shift, boolean flagged) {
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < DIM; i++) {
            values.add((float) (Math.cos(i * 0.7) + shift * Math.sin(i * 1.3 + clip) + (flagged ? 0.2 * Math.sin(i) : 0)));
        }
        return values;
    }

    static ClipLatents latents(ClipRef ref, List<Float> embedding) {
        return ClipLatents.newBuilder()
                .setRef(ref).setClipsInLoop(CLIPS).setTokenGrid(GRID).setLatentDim(4).setTokenEncoding(TokenEncoding.FLOAT16)
                .setObservedTokens(ByteBuffer.wrap(new byte[392 * 4 * 2])).setPooledEmbedding(embedding)
                .setPredictedFirstFrame(ref.getFirstFrame() + FRAMES).setPredictedTokens(ByteBuffer.wrap(new byte[392 * 4 * 2]))
                .setFps(FPS).setHeartRateBpm(72.0).setCrop(crop()).setModel(model()).setPreprocessingVersion("prep-1")
                .setTiming(new InferenceTiming(1, 45.0, 6.0, "CPU")).setProducedAt(T0)
                .build();
    }

    private static void summary(List<ProducerRecord<String, byte[]>> out, String study, String series, double score, boolean flagged,
                                int clips, int events, double peak) {
        SeriesSummary summary = SeriesSummary.newBuilder()
                .setStudyInstanceUid(study).setSeriesInstanceUid(series).setAnomalyScore(score).setFlagged(flagged)
                .setClipCount(clips).setEventCount(events).setMeanSurprise(0.08).setPeakScore(peak).setNormativeScore(peak / 2)
                .setStatus(SeriesStatus.CLOSED).setModel(model()).setPreprocessingVersion("prep-1")
                .setFirstClipAt(T0).setUpdatedAt(T0.plusSeconds(30))
                .build();
        out.add(record(Topics.SERIES_SUMMARIES, series, summary));
    }

    private static void event(List<ProducerRecord<String, byte[]>> out, String study, String series, String sop, int first, int last) {
        out.add(record(Topics.ANOMALY_EVENTS, series, eventRecord(study, series, sop, first, last, sop + "/" + first, T0.plusSeconds(20))));
    }

    public static <V extends SpecificRecordBase> ProducerRecord<String, byte[]> record(Topic<String, V> topic, String key, V value) {
        return new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }
}

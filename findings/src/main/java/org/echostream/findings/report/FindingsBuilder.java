package org.echostream.findings.report;

import static org.echostream.findings.report.Relationship.CONTAINS;
import static org.echostream.findings.report.Relationship.HAS_CONCEPT_MOD;
import static org.echostream.findings.report.Relationship.HAS_OBS_CONTEXT;
import static org.echostream.findings.report.Relationship.SELECTED_FROM;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.SeriesSummary;
import org.echostream.findings.report.ContentItem.CodeItem;
import org.echostream.findings.report.ContentItem.Container;
import org.echostream.findings.report.ContentItem.Image;
import org.echostream.findings.report.ContentItem.Num;
import org.echostream.findings.report.ContentItem.Text;
import org.echostream.findings.report.ContentItem.TimeRange;
import org.echostream.findings.report.ContentItem.UidRef;
import org.echostream.findings.study.SeriesResult;
import org.echostream.findings.study.StudyResult;

/**
 * Turns one study's result into its documents.
 *
 * <p>The SR follows TID 1500 (Measurement Report): language, device observer context and procedure reported at
 * the root; an Image Library (TID 1600) with every scored source instance, grouped by series; and under Imaging
 * Measurements one Measurement Group (TID 1501 pattern) per scored series with its tracking identifiers, the
 * algorithm identification (TID 4019: model name, version, and as parameters the preprocessing version and the
 * models' sha256), the series score and flag, and one container per anomaly event with its time range (a TCOORD
 * selected from the source image's frames), source frames, scores, rule and region.
 *
 * <p>The KOS (TID 2010, title "Of Interest") references the instances of flagged series: those with events, with
 * the events' frames; for a flagged series without events, each of its scored instances whole.
 */
public final class FindingsBuilder {

    /** Shown in both documents: the PACS user sees what produced them before anything else. */
    static final String INTENDED_USE = "Produced by echostream, research software that flags unusual cardiac motion; not a medical "
            + "device. Its model was trained on simulated echocardiograms only.";

    private final DocumentSettings settings;

    public FindingsBuilder(DocumentSettings settings) {
        this.settings = settings;
    }

    /**
     * @param predecessor the SR of the previously delivered result version of this study, which the new SR replaces
     */
    public Findings build(StudyResult result, Optional<SrDocument.DocumentRef> predecessor) {
        String study = result.studyInstanceUid();
        String version = result.resultVersion();
        Map<String, InstanceRecord> instances = new HashMap<>();
        result.series().forEach(s -> s.instances().forEach(i -> instances.put(i.getSopInstanceUid(), i)));
        SrDocument report = new SrDocument(DocumentKind.COMPREHENSIVE_SR, DerivedUids.srInstance(study, version), DerivedUids.srSeries(study),
                settings.srSeriesNumber(), "echostream findings (SR)", result.status().getVersion(), PatientStudy.of(result.study()),
                settings.equipment(), result.observedAt(), Codes.IMAGING_MEASUREMENT_REPORT, reportContent(result, instances),
                allInstances(result), predecessor, true);
        return new Findings(study, version, report, keyImages(result, instances, report));
    }

    private List<ContentItem> reportContent(StudyResult result, Map<String, InstanceRecord> instances) {
        List<ContentItem> root = new ArrayList<>(preamble());
        root.add(new CodeItem(HAS_CONCEPT_MOD, Codes.PROCEDURE_REPORTED, Codes.ECHOCARDIOGRAPHY));
        List<ContentItem> library = new ArrayList<>();
        for (SeriesResult s : result.series()) {
            List<ContentItem> group = new ArrayList<>();
            for (InstanceRecord i : s.instances()) {
                group.add(new Image(CONTAINS, ImageRef.whole(i.getSeriesInstanceUid(), i.getSopClassUid(), i.getSopInstanceUid())));
            }
            library.add(new Container(CONTAINS, Codes.IMAGE_LIBRARY_GROUP, group));
        }
        root.add(new Container(CONTAINS, Codes.IMAGE_LIBRARY, library));
        List<ContentItem> measurements = new ArrayList<>();
        for (SeriesResult s : result.series()) {
            measurements.add(measurementGroup(s, instances));
        }
        root.add(new Container(CONTAINS, Codes.IMAGING_MEASUREMENTS, measurements));
        root.add(new Text(CONTAINS, Codes.RESULT_VERSION, result.resultVersion()));
        root.add(new Text(CONTAINS, Codes.STUDY_STATUS_VERSION, String.valueOf(result.status().getVersion())));
        root.add(new Text(CONTAINS, Codes.DISCLAIMER, INTENDED_USE));
        return root;
    }

    /** TID 1204 language and TID 1001/1004 device observer context: the same at the root of both documents. */
    private List<ContentItem> preamble() {
        Equipment e = settings.equipment();
        return List.of(
                new CodeItem(HAS_CONCEPT_MOD, Codes.LANGUAGE_OF_CONTENT, Codes.ENGLISH_US),
                new CodeItem(HAS_OBS_CONTEXT, Codes.OBSERVER_TYPE, Codes.DEVICE),
                new UidRef(HAS_OBS_CONTEXT, Codes.DEVICE_OBSERVER_UID, e.deviceObserverUid()),
                new Text(HAS_OBS_CONTEXT, Codes.DEVICE_OBSERVER_NAME, e.deviceName()),
                new Text(HAS_OBS_CONTEXT, Codes.DEVICE_OBSERVER_MANUFACTURER, e.manufacturer()),
                new Text(HAS_OBS_CONTEXT, Codes.DEVICE_OBSERVER_MODEL_NAME, e.modelName()));
    }

    private static Container measurementGroup(SeriesResult s, Map<String, InstanceRecord> instances) {
        SeriesSummary m = s.summary();
        ModelRef model = m.getModel();
        List<ContentItem> items = new ArrayList<>();
        items.add(new Text(HAS_OBS_CONTEXT, Codes.TRACKING_IDENTIFIER, trackingIdentifier(s)));
        items.add(new UidRef(HAS_OBS_CONTEXT, Codes.TRACKING_UNIQUE_IDENTIFIER, DerivedUids.finding(s.seriesInstanceUid())));
        items.add(new UidRef(HAS_OBS_CONTEXT, Codes.SERIES_INSTANCE_UID, s.seriesInstanceUid()));
        items.add(new CodeItem(CONTAINS, Codes.FINDING, Codes.MOTION_ANOMALY_FINDING));
        items.add(new Text(HAS_CONCEPT_MOD, Codes.ALGORITHM_NAME, model.getName()));
        items.add(new Text(HAS_CONCEPT_MOD, Codes.ALGORITHM_VERSION, model.getVersion()));
        items.add(new Text(HAS_CONCEPT_MOD, Codes.ALGORITHM_PARAMETERS, "preprocessing " + m.getPreprocessingVersion()
                + "; encoder sha256 " + model.getEncoderSha256() + "; predictor sha256 " + model.getPredictorSha256()
                + (model.getCalibrationSha256() == null ? "" : "; calibration sha256 " + model.getCalibrationSha256())));
        items.add(new Num(CONTAINS, Codes.ANOMALY_SCORE, m.getAnomalyScore(), Codes.NO_UNITS));
        items.add(new CodeItem(CONTAINS, Codes.ANOMALY_FLAGGED, m.getFlagged() ? Codes.YES : Codes.NO));
        items.add(new Num(CONTAINS, Codes.PEAK_CLIP_SCORE, m.getPeakScore(), Codes.NO_UNITS));
        items.add(new Num(CONTAINS, Codes.MEAN_SURPRISE, m.getMeanSurprise(), Codes.NO_UNITS));
        if (m.getNormativeScore() != null) {
            items.add(new Num(CONTAINS, Codes.NORMATIVE_SCORE, m.getNormativeScore(), Codes.NO_UNITS));
        }
        items.add(new Num(CONTAINS, Codes.CLIPS_SCORED, m.getClipCount(), Codes.CLIPS));
        items.add(new Num(CONTAINS, Codes.EVENT_COUNT, s.events().size(), Codes.EVENTS));
        items.add(new Text(CONTAINS, Codes.PREPROCESSING_VERSION, m.getPreprocessingVersion()));
        items.add(new Text(CONTAINS, Codes.ENCODER_SHA256, model.getEncoderSha256()));
        items.add(new Text(CONTAINS, Codes.PREDICTOR_SHA256, model.getPredictorSha256()));
        for (AnomalyEvent e : s.events()) {
            InstanceRecord source = instances.get(e.getSopInstanceUid());
            items.add(event(e, source));
        }
        return new Container(CONTAINS, Codes.MEASUREMENT_GROUP, items);
    }

    private static Container event(AnomalyEvent e, InstanceRecord source) {
        List<ContentItem> items = new ArrayList<>();
        items.add(new Text(HAS_OBS_CONTEXT, Codes.EVENT_ID, e.getEventId()));
        items.add(new Num(CONTAINS, Codes.EVENT_START, e.getStartSeconds(), Codes.SECONDS));
        items.add(new Num(CONTAINS, Codes.EVENT_END, e.getEndSeconds(), Codes.SECONDS));
        List<Integer> frames = source == null ? List.of() : SourceFrames.firstAndLast(e, source);
        if (!frames.isEmpty()) {
            items.add(new Num(CONTAINS, Codes.EVENT_FIRST_FRAME, frames.get(0), Codes.FRAMES));
            items.add(new Num(CONTAINS, Codes.EVENT_LAST_FRAME, frames.get(1), Codes.FRAMES));
        }
        items.add(new Num(CONTAINS, Codes.EVENT_PEAK_SCORE, e.getPeakScore(), Codes.NO_UNITS));
        items.add(new Num(CONTAINS, Codes.EVENT_MEAN_SCORE, e.getMeanScore(), Codes.NO_UNITS));
        items.add(new Text(CONTAINS, Codes.EVENT_RULE, e.getRule()));
        PixelRegion r = e.getRegion().getSource();
        items.add(new Text(CONTAINS, Codes.EVENT_REGION, String.format(Locale.ROOT, "x %d, y %d, width %d, height %d (columns and rows of the source image)",
                r.getX(), r.getY(), r.getWidth(), r.getHeight())));
        if (source != null) {
            // The event's instance was scored (its clips led to the event), so it is in the series' instances; an
            // event whose instance record is missing keeps its numbers but has no image to point at.
            Image image = new Image(SELECTED_FROM, new ImageRef(source.getSeriesInstanceUid(), source.getSopClassUid(),
                    source.getSopInstanceUid(), SourceFrames.all(e, source)));
            items.add(new TimeRange(CONTAINS, Codes.EVENT_TIME_RANGE, e.getStartSeconds(), e.getEndSeconds(), List.of(image)));
        }
        return new Container(CONTAINS, Codes.ANOMALY_EVENT, items);
    }

    private static String trackingIdentifier(SeriesResult s) {
        InstanceRecord first = s.instances().get(0);
        String number = first.getSeriesNumber() == null ? "" : " " + first.getSeriesNumber();
        String description = first.getSeriesDescription() == null || first.getSeriesDescription().isBlank() ? "" : " (" + first.getSeriesDescription() + ")";
        return "cardiac motion, series" + number + description;
    }

    private static List<ImageRef> allInstances(StudyResult result) {
        return result.series().stream().flatMap(s -> s.instances().stream())
                .map(i -> ImageRef.whole(i.getSeriesInstanceUid(), i.getSopClassUid(), i.getSopInstanceUid()))
                .sorted(Comparator.comparing(ImageRef::seriesInstanceUid).thenComparing(ImageRef::sopInstanceUid))
                .toList();
    }

    private Optional<SrDocument> keyImages(StudyResult result, Map<String, InstanceRecord> instances, SrDocument report) {
        List<SeriesResult> flagged = result.flaggedSeries();
        if (flagged.isEmpty()) {
            return Optional.empty();
        }
        List<ImageRef> selected = new ArrayList<>();
        for (SeriesResult s : flagged) {
            if (s.events().isEmpty()) {
                s.instances().forEach(i -> selected.add(ImageRef.whole(i.getSeriesInstanceUid(), i.getSopClassUid(), i.getSopInstanceUid())));
                continue;
            }
            Map<String, TreeSet<Integer>> framesOf = new java.util.TreeMap<>();
            for (AnomalyEvent e : s.events()) {
                InstanceRecord source = instances.get(e.getSopInstanceUid());
                if (source != null) {
                    framesOf.computeIfAbsent(source.getSopInstanceUid(), k -> new TreeSet<>()).addAll(SourceFrames.all(e, source));
                }
            }
            if (framesOf.isEmpty()) {
                s.instances().forEach(i -> selected.add(ImageRef.whole(i.getSeriesInstanceUid(), i.getSopClassUid(), i.getSopInstanceUid())));
            }
            framesOf.forEach((sop, frames) -> {
                InstanceRecord i = instances.get(sop);
                selected.add(new ImageRef(i.getSeriesInstanceUid(), i.getSopClassUid(), sop, List.copyOf(frames)));
            });
        }
        String study = result.studyInstanceUid();
        List<ContentItem> content = new ArrayList<>(preamble());
        content.add(new Text(CONTAINS, Codes.KEY_OBJECT_DESCRIPTION, flagged.size() + " series flagged for unusual cardiac motion (result version "
                + result.resultVersion() + "; frames of the anomaly events where known; the measurements are in SR " + report.sopInstanceUid()
                + "). " + INTENDED_USE));
        selected.forEach(ref -> content.add(new Image(CONTAINS, ref)));
        List<ImageRef> evidence = selected.stream().map(r -> ImageRef.whole(r.seriesInstanceUid(), r.sopClassUid(), r.sopInstanceUid())).toList();
        return Optional.of(new SrDocument(DocumentKind.KEY_OBJECT_SELECTION, DerivedUids.kosInstance(study, result.resultVersion()),
                DerivedUids.kosSeries(study), settings.kosSeriesNumber(), "echostream key images (KOS)", result.status().getVersion(),
                report.patientStudy(), settings.equipment(), result.observedAt(), Codes.OF_INTEREST, content, evidence, Optional.empty(), false));
    }
}

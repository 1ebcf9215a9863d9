package org.echostream.fhir;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.SeriesSummary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * A final study's results as one FHIR R4 transaction: a {@code DiagnosticReport} (final; subject and imaging study
 * referenced by identifier; conclusion; the model, preprocessing and calibration versions through a {@code Device})
 * with one {@code Observation} per scored series (score, flag) and one per anomaly event (time range, peak score,
 * region). Every entry is a conditional create on an identifier derived from the study UID and the result version,
 * so sending the same result version again creates nothing (once per result version at the server).
 */
public final class FhirResults {

    /** Identifiers and codes of our own: echostream's outputs have no LOINC or SNOMED code. */
    public static final String CODE_SYSTEM = "urn:echostream:code";
    public static final String RESULT_SYSTEM = "urn:echostream:result";
    /** DICOM UIDs as identifiers (FHIR R4 ImagingStudy.identifier convention). */
    public static final String DICOM_UID = "urn:dicom:uid";
    /** HL7 v2 table 0074 (diagnostic service section): CUS = cardiac ultrasound. */
    private static final Coding CARDIAC_ULTRASOUND = new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "CUS", "Cardiac Ultrasound");
    private static final Coding IMAGING = new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging");

    /**
     * @param patientIdSystem the hospital's system for Patient ID (0010,0020), e.g. its MRN namespace URI
     */
    public record Settings(String patientIdSystem) {
    }

    private final Settings settings;

    public FhirResults(Settings settings) {
        this.settings = settings;
    }

    public Bundle transaction(StudyResult result) {
        String study = result.studyUid();
        String version = result.resultVersion();
        Date issued = Date.from(result.status().getFinalisedAt() != null ? result.status().getFinalisedAt() : result.status().getUpdatedAt());
        Reference subject = new Reference().setIdentifier(new Identifier().setSystem(settings.patientIdSystem())
                .setValue(result.study().getPatientId())).setDisplay("patient of study " + study);
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);

        Device device = device(result, version);
        String deviceUrl = add(bundle, device, "Device", identifierOf(device));

        DiagnosticReport report = new DiagnosticReport();
        report.addIdentifier(new Identifier().setSystem(RESULT_SYSTEM).setValue(study + "/" + version));
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        report.addCategory(new CodeableConcept(CARDIAC_ULTRASOUND));
        report.setCode(new CodeableConcept(new Coding(CODE_SYSTEM, "echo-motion-anomaly-report", "Echo motion anomaly screening report"))
                .setText("Echocardiography motion anomaly screening (research software, not a medical device)"));
        report.setSubject(subject);
        report.setEffective(new DateTimeType(issued));
        report.setIssued(issued);
        report.addImagingStudy(new Reference().setIdentifier(new Identifier().setSystem(DICOM_UID).setValue("urn:oid:" + study))
                .setDisplay("DICOM study " + study));

        List<SeriesSummary> flagged = new ArrayList<>();
        for (SeriesSummary s : result.series()) {
            if (s.getFlagged()) {
                flagged.add(s);
            }
            Observation o = observation(subject, issued, deviceUrl, study, version, "series/" + s.getSeriesInstanceUid(),
                    "series-anomaly-score", "Series anomaly score", "series " + s.getSeriesInstanceUid());
            o.setValue(new Quantity().setValue(s.getAnomalyScore()).setUnit("score").setSystem(CODE_SYSTEM).setCode("score"));
            o.setInterpretation(List.of(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                    s.getFlagged() ? "A" : "N", s.getFlagged() ? "Abnormal" : "Normal"))));
            o.addComponent(component("flagged", "Flagged above the calibration's threshold").setValue(new org.hl7.fhir.r4.model.BooleanType(s.getFlagged())));
            o.addComponent(component("peak-clip-score", "Highest clip score").setValue(new Quantity().setValue(s.getPeakScore())
                    .setUnit("score").setSystem(CODE_SYSTEM).setCode("score")));
            o.addComponent(component("clips-scored", "Clips scored").setValue(new org.hl7.fhir.r4.model.IntegerType(s.getClipCount())));
            o.addComponent(component("series-instance-uid", "Series Instance UID").setValue(new StringType(s.getSeriesInstanceUid())));
            report.addResult(new Reference(add(bundle, o, "Observation", o.getIdentifierFirstRep())));
        }
        for (AnomalyEvent e : result.events()) {
            Observation o = observation(subject, issued, deviceUrl, study, version, "event/" + e.getEventId(), "anomaly-event",
                    "Anomaly event", "event " + e.getEventId() + " in series " + e.getSeriesInstanceUid());
            o.setValue(new Quantity().setValue(e.getPeakScore()).setUnit("score").setSystem(CODE_SYSTEM).setCode("score"));
            o.addComponent(component("start-seconds", "Start in the loop").setValue(seconds(e.getStartSeconds())));
            o.addComponent(component("end-seconds", "End in the loop").setValue(seconds(e.getEndSeconds())));
            o.addComponent(component("frames", "Frames").setValue(new StringType(e.getFirstFrame() + "-" + e.getLastFrame())));
            var r = e.getRegion();
            o.addComponent(component("region", "Region (token rows x columns; source pixels)").setValue(new StringType(
                    "rows " + r.getRowStart() + "-" + r.getRowEnd() + " x columns " + r.getColStart() + "-" + r.getColEnd() + "; "
                            + r.getSource().getWidth() + "x" + r.getSource().getHeight() + " px at (" + r.getSource().getX() + ", "
                            + r.getSource().getY() + ")")));
            o.addComponent(component("sop-instance-uid", "SOP Instance UID of the loop").setValue(new StringType(e.getSopInstanceUid())));
            report.addResult(new Reference(add(bundle, o, "Observation", o.getIdentifierFirstRep())));
        }
        report.setConclusion(flagged.isEmpty()
                ? result.series().size() + " series scored, none flagged; " + result.events().size() + " anomaly events."
                : flagged.size() + " of " + result.series().size() + " series flagged (highest score "
                        + String.format(java.util.Locale.ROOT, "%.2f", flagged.stream().mapToDouble(SeriesSummary::getAnomalyScore).max().orElse(0))
                        + "); " + result.events().size() + " anomaly events. Research software, not a medical device.");
        add(bundle, report, "DiagnosticReport", report.getIdentifierFirstRep());
        return bundle;
    }

    private Device device(StudyResult result, String version) {
        ModelRef model = result.series().isEmpty() ? (result.events().isEmpty() ? null : result.events().get(0).getModel())
                : result.series().get(0).getModel();
        String preprocessing = result.series().isEmpty() ? null : result.series().get(0).getPreprocessingVersion();
        Device device = new Device();
        device.addIdentifier(new Identifier().setSystem(RESULT_SYSTEM).setValue(result.studyUid() + "/" + version + "/device"));
        device.addDeviceName().setName(model == null ? "echostream" : model.getName()).setType(Device.DeviceNameType.MODELNAME);
        if (model != null) {
            device.addVersion().setType(new CodeableConcept().setText("model")).setValue(model.getVersion());
            device.addVersion().setType(new CodeableConcept().setText("encoder sha256")).setValue(model.getEncoderSha256());
            device.addVersion().setType(new CodeableConcept().setText("predictor sha256")).setValue(model.getPredictorSha256());
            if (model.getCalibrationSha256() != null) {
                device.addVersion().setType(new CodeableConcept().setText("calibration sha256")).setValue(model.getCalibrationSha256());
            }
        }
        if (preprocessing != null) {
            device.addVersion().setType(new CodeableConcept().setText("preprocessing")).setValue(preprocessing);
        }
        return device;
    }

    private static Identifier identifierOf(Device device) {
        return device.getIdentifierFirstRep();
    }

    private static Observation observation(Reference subject, Date issued, String deviceUrl, String study, String version, String what,
                                           String code, String display, String text) {
        Observation o = new Observation();
        o.addIdentifier(new Identifier().setSystem(RESULT_SYSTEM).setValue(study + "/" + version + "/" + what));
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.addCategory(new CodeableConcept(IMAGING));
        o.setCode(new CodeableConcept(new Coding(CODE_SYSTEM, code, display)).setText(display + ", " + text));
        o.setSubject(subject);
        o.setEffective(new DateTimeType(issued));
        o.setIssued(issued);
        o.setDevice(new Reference(deviceUrl));
        return o;
    }

    private static Observation.ObservationComponentComponent component(String code, String display) {
        return new Observation.ObservationComponentComponent(new CodeableConcept(new Coding(CODE_SYSTEM, code, display)));
    }

    private static Quantity seconds(double value) {
        return new Quantity().setValue(new DecimalType(value).getValue()).setUnit("s").setSystem("http://unitsofmeasure.org").setCode("s");
    }

    /** A conditional create: the server creates the resource only when none has its identifier yet. */
    private static String add(Bundle bundle, Resource resource, String type, Identifier identifier) {
        String fullUrl = "urn:uuid:" + UUID.nameUUIDFromBytes((identifier.getSystem() + "|" + identifier.getValue()).getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        bundle.addEntry().setFullUrl(fullUrl).setResource(resource).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl(type)
                .setIfNoneExist("identifier=" + identifier.getSystem() + "|" + identifier.getValue());
        return fullUrl;
    }
}

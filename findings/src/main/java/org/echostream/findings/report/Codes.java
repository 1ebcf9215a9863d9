package org.echostream.findings.report;

/**
 * Every code the SR and the KOS use. Standard codes (DICOM's DCM, SNOMED CT's SCT, UCUM units, RFC 5646
 * languages) wherever the concept exists; echostream's own concepts in the private scheme
 * {@value #PRIVATE_SCHEME}, which each document describes in its Coding Scheme Identification Sequence.
 * docs/findings.md lists them all.
 */
public final class Codes {

    /** Private coding scheme designators start with "99" by convention (PS3.16 8.2), so they never clash with a registered one. */
    public static final String PRIVATE_SCHEME = "99ECHOSTREAM";
    public static final String PRIVATE_SCHEME_NAME = "echostream cardiac motion anomaly concepts";
    public static final String PRIVATE_SCHEME_OWNER = "echostream project";
    public static final String PRIVATE_SCHEME_VERSION = "1";

    // ---- TID 1500 Measurement Report and the templates it includes (DCM) ----
    public static final Code IMAGING_MEASUREMENT_REPORT = dcm("126000", "Imaging Measurement Report");
    public static final Code LANGUAGE_OF_CONTENT = dcm("121049", "Language of Content Item and Descendants");
    public static final Code OBSERVER_TYPE = dcm("121005", "Observer Type");
    public static final Code DEVICE = dcm("121007", "Device");
    public static final Code DEVICE_OBSERVER_UID = dcm("121012", "Device Observer UID");
    public static final Code DEVICE_OBSERVER_NAME = dcm("121013", "Device Observer Name");
    public static final Code DEVICE_OBSERVER_MANUFACTURER = dcm("121014", "Device Observer Manufacturer");
    public static final Code DEVICE_OBSERVER_MODEL_NAME = dcm("121015", "Device Observer Model Name");
    public static final Code PROCEDURE_REPORTED = dcm("121058", "Procedure reported");
    public static final Code IMAGE_LIBRARY = dcm("111028", "Image Library");
    public static final Code IMAGE_LIBRARY_GROUP = dcm("126200", "Image Library Group");
    public static final Code IMAGING_MEASUREMENTS = dcm("126010", "Imaging Measurements");
    public static final Code MEASUREMENT_GROUP = dcm("125007", "Measurement Group");
    public static final Code TRACKING_IDENTIFIER = dcm("112039", "Tracking Identifier");
    public static final Code TRACKING_UNIQUE_IDENTIFIER = dcm("112040", "Tracking Unique Identifier");
    public static final Code SERIES_INSTANCE_UID = dcm("112002", "Series Instance UID");
    public static final Code ALGORITHM_NAME = dcm("111001", "Algorithm Name");
    public static final Code ALGORITHM_VERSION = dcm("111003", "Algorithm Version");
    public static final Code ALGORITHM_PARAMETERS = dcm("111002", "Algorithm Parameters");
    public static final Code FINDING = dcm("121071", "Finding");

    // ---- TID 2010 Key Object Selection (DCM, CID 7010 titles) ----
    public static final Code OF_INTEREST = dcm("113000", "Of Interest");
    public static final Code KEY_OBJECT_DESCRIPTION = dcm("113012", "Key Object Description");

    // ---- values ----
    public static final Code ENGLISH_US = new Code("en-US", "RFC5646", "English (United States)");
    public static final Code ECHOCARDIOGRAPHY = new Code("40701008", "SCT", "Echocardiography");
    public static final Code YES = new Code("373066001", "SCT", "Yes");
    public static final Code NO = new Code("373067005", "SCT", "No");

    // ---- units (UCUM) ----
    public static final Code NO_UNITS = new Code("1", "UCUM", "no units");
    public static final Code SECONDS = new Code("s", "UCUM", "second");
    public static final Code FRAMES = new Code("{frame}", "UCUM", "frame");
    public static final Code CLIPS = new Code("{clip}", "UCUM", "clip");
    public static final Code EVENTS = new Code("{event}", "UCUM", "event");

    // ---- echostream's own concepts ----
    public static final Code MOTION_ANOMALY_FINDING = own("ES-FINDING", "Cardiac motion anomaly finding");
    public static final Code ANOMALY_SCORE = own("ES-SCORE", "Cardiac motion anomaly score");
    public static final Code ANOMALY_FLAGGED = own("ES-FLAGGED", "Cardiac motion anomaly flagged");
    public static final Code NORMATIVE_SCORE = own("ES-NORMATIVE", "Normative deviation score");
    public static final Code PEAK_CLIP_SCORE = own("ES-PEAK", "Peak clip score");
    public static final Code MEAN_SURPRISE = own("ES-MEAN-SURPRISE", "Mean clip surprise");
    public static final Code CLIPS_SCORED = own("ES-CLIPS", "Clips scored");
    public static final Code EVENT_COUNT = own("ES-EVENT-COUNT", "Anomaly events");
    public static final Code ANOMALY_EVENT = own("ES-EVENT", "Cardiac motion anomaly event");
    public static final Code EVENT_ID = own("ES-EVENT-ID", "Anomaly event identifier");
    public static final Code EVENT_START = own("ES-START", "Event start time");
    public static final Code EVENT_END = own("ES-END", "Event end time");
    public static final Code EVENT_FIRST_FRAME = own("ES-FIRST-FRAME", "Event first source frame");
    public static final Code EVENT_LAST_FRAME = own("ES-LAST-FRAME", "Event last source frame");
    public static final Code EVENT_PEAK_SCORE = own("ES-EVENT-PEAK", "Event peak score");
    public static final Code EVENT_MEAN_SCORE = own("ES-EVENT-MEAN", "Event mean score");
    public static final Code EVENT_RULE = own("ES-RULE", "Sustained evidence rule");
    public static final Code EVENT_REGION = own("ES-REGION", "Event region in source pixels");
    public static final Code EVENT_TIME_RANGE = own("ES-TIME-RANGE", "Event time range");
    public static final Code PREPROCESSING_VERSION = own("ES-PREP", "Preprocessing version");
    public static final Code ENCODER_SHA256 = own("ES-ENCODER-SHA", "Encoder model sha256");
    public static final Code PREDICTOR_SHA256 = own("ES-PREDICT-SHA", "Predictor model sha256");
    public static final Code RESULT_VERSION = own("ES-RESULT", "echostream result version");
    public static final Code STUDY_STATUS_VERSION = own("ES-STATUS", "Study completeness version");
    public static final Code DISCLAIMER = own("ES-DISCLAIMER", "Intended use statement");

    private Codes() {
    }

    private static Code dcm(String value, String meaning) {
        return new Code(value, "DCM", meaning);
    }

    private static Code own(String value, String meaning) {
        return new Code(value, PRIVATE_SCHEME, meaning);
    }
}

package org.echostream.ingest.stow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to a STOW-RS request (PS3.18 10.5.3): the HTTP status and the Store Instances Response Module as
 * DICOM JSON, with the instances stored (Referenced SOP Sequence) and those that were not, each with its Failure
 * Reason (Failed SOP Sequence).
 */
public record StowResponse(int httpStatus, List<Stored> stored, List<Failed> failed, String error) {

    /** Failure reasons (PS3.18 Table 10.5.3-2 and PS3.4 Annex B): the C-STORE statuses a DIMSE sender would get. */
    public static final int OUT_OF_RESOURCES = 0xA700;
    public static final int DATA_SET_DOES_NOT_MATCH = 0xA900;
    public static final int CANNOT_UNDERSTAND = 0xC000;

    /** An instance now durable here; the study is null when the instance was already here (not read again). */
    public record Stored(String sopClassUid, String sopInstanceUid, String studyInstanceUid) {
    }

    /** An instance not stored; UIDs may be empty when the part could not be read far enough to know them. */
    public record Failed(String sopClassUid, String sopInstanceUid, int reason, String why) {
    }

    public StowResponse {
        stored = List.copyOf(stored);
        failed = List.copyOf(failed);
    }

    /** 200 all stored, 202 some, 409 none (bad instances), 503 none because we could not make them durable (retry later). */
    public static StowResponse of(List<Stored> stored, List<Failed> failed) {
        int status;
        if (failed.isEmpty()) {
            status = 200;
        } else if (!stored.isEmpty()) {
            status = 202;
        } else if (failed.stream().allMatch(f -> f.reason() == OUT_OF_RESOURCES)) {
            status = 503;
        } else {
            status = 409;
        }
        return new StowResponse(status, stored, failed, null);
    }

    /** A request refused as a whole (wrong media type, malformed body), with the reason. */
    public static StowResponse refused(int httpStatus, String error) {
        return new StowResponse(httpStatus, List.of(), List.of(), error);
    }

    /** The studies this request wrote instances of (for its audit record), in order, without repeats. */
    public List<String> studiesStored() {
        return stored.stream().map(Stored::studyInstanceUid).filter(uid -> uid != null && !uid.isEmpty()).distinct().toList();
    }

    /** The response body as DICOM JSON (application/dicom+json); each failed item also carries its reason in words as Error Comment (0000,0902). */
    public Map<String, Object> dicomJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!failed.isEmpty()) {
            List<Object> items = new ArrayList<>();
            for (Failed f : failed) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("00081150", uid(f.sopClassUid()));
                item.put("00081155", uid(f.sopInstanceUid()));
                item.put("00081197", Map.of("vr", "US", "Value", List.of(f.reason())));
                // Error Comment: the reason in words, so the sender's operator can act on it without our logs
                item.put("00000902", Map.of("vr", "LO", "Value", List.of(f.why())));
                items.add(item);
            }
            out.put("00081198", Map.of("vr", "SQ", "Value", items));
        }
        if (!stored.isEmpty()) {
            List<Object> items = new ArrayList<>();
            for (Stored s : stored) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("00081150", uid(s.sopClassUid()));
                item.put("00081155", uid(s.sopInstanceUid()));
                items.add(item);
            }
            out.put("00081199", Map.of("vr", "SQ", "Value", items));
        }
        return out;
    }

    private static Map<String, Object> uid(String value) {
        return value == null || value.isEmpty() ? Map.of("vr", "UI") : Map.of("vr", "UI", "Value", List.of(value));
    }
}

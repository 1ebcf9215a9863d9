package org.echostream.findings.report;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One structured document ready to encode: identity, the module values shared with the source study, the
 * content tree, and the instances it references (Current Requested Procedure Evidence Sequence).
 *
 * @param title        the root CONTAINER's concept name (document title)
 * @param content      the root's children
 * @param evidence     every source instance the content references, whole (frames are in the content items)
 * @param predecessor  the SR this one replaces (Predecessor Documents Sequence), when an earlier result version was delivered
 * @param contentTime  Content Date and Time (and Series/Instance Creation), UTC
 */
public record SrDocument(DocumentKind kind, String sopInstanceUid, String seriesInstanceUid, int seriesNumber, String seriesDescription,
                         int instanceNumber, PatientStudy patientStudy, Equipment equipment, Instant contentTime, Code title,
                         List<ContentItem> content, List<ImageRef> evidence, Optional<DocumentRef> predecessor, boolean usesPrivateCodes) {

    public SrDocument {
        content = List.copyOf(content);
        evidence = List.copyOf(evidence);
        if (evidence.isEmpty()) {
            throw new IllegalArgumentException(kind + " " + sopInstanceUid + ": a document about source images must reference at least one");
        }
    }

    /** Another document of the same study (for the predecessor reference). */
    public record DocumentRef(String seriesInstanceUid, String sopClassUid, String sopInstanceUid) {
    }

    @Override
    public String toString() {
        return kind + "[" + sopInstanceUid + " in study " + patientStudy.studyInstanceUid() + "]";
    }
}

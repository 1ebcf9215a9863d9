package org.echostream.findings.report;

/** The two IODs this service writes. */
public enum DocumentKind {
    /** Comprehensive SR Storage: the measurement report (TID 1500 patterns). */
    COMPREHENSIVE_SR("1.2.840.10008.5.1.4.1.1.88.33", "SR", "1500"),
    /** Key Object Selection Document Storage: the flagged instances and frames (TID 2010). */
    KEY_OBJECT_SELECTION("1.2.840.10008.5.1.4.1.1.88.59", "KO", "2010");

    private final String sopClassUid;
    private final String modality;
    private final String templateId;

    DocumentKind(String sopClassUid, String modality, String templateId) {
        this.sopClassUid = sopClassUid;
        this.modality = modality;
        this.templateId = templateId;
    }

    public String sopClassUid() {
        return sopClassUid;
    }

    public String modality() {
        return modality;
    }

    /** The root template, identified in the Content Template Sequence with mapping resource DCMR. */
    public String templateId() {
        return templateId;
    }
}

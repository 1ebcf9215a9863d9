package org.echostream.findings.report;

import org.echostream.dicom.net.Uid;

/** The two IODs this service writes. */
public enum DocumentKind {
    /** Comprehensive SR Storage: the measurement report (TID 1500 patterns). */
    COMPREHENSIVE_SR(Uid.COMPREHENSIVE_SR_STORAGE, "SR", "1500"),
    /** Key Object Selection Document Storage: the flagged instances and frames (TID 2010). */
    KEY_OBJECT_SELECTION(Uid.KEY_OBJECT_SELECTION_DOCUMENT_STORAGE, "KO", "2010");

    private final String sopClassUid;
    private final String modality;
    private final String templateId;

    DocumentKind(Uid sopClass, String modality, String templateId) {
        this.sopClassUid = sopClass.value();
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

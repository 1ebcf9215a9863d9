package org.echostream.findings.report;

import org.echostream.contracts.StudyRecord;
import org.echostream.findings.study.DicomText;

/**
 * The Patient and General Study module values the SR must share with its source study, so the PACS files it in
 * that study under that patient. Empty means unknown (these are Type 2 attributes). Patient data: never logged.
 */
public record PatientStudy(String studyInstanceUid, String patientName, String patientId, String patientBirthDate, String patientSex,
                           String accessionNumber, String studyDate, String studyTime, String studyDescription) {

    /**
     * From the study record as ingest received it. A date or time that is not a valid DA/TM value, a sex that is
     * not a defined term, and a description longer than LO are left empty rather than copied into an invalid SR;
     * StudyBook already refused records whose patient ID, name or accession number cannot be written.
     */
    public static PatientStudy of(StudyRecord r) {
        return new PatientStudy(r.getStudyInstanceUid(), orEmpty(r.getPatientName()), orEmpty(r.getPatientId()),
                DicomText.isDate(r.getPatientBirthDate()) ? r.getPatientBirthDate() : "",
                r.getPatientSex() != null && r.getPatientSex().matches("[MFO]") ? r.getPatientSex() : "",
                orEmpty(r.getAccessionNumber()),
                DicomText.isDate(r.getStudyDate()) ? r.getStudyDate() : "",
                DicomText.isTime(r.getStudyTime()) ? r.getStudyTime() : "",
                DicomText.fits(r.getStudyDescription(), 64) ? orEmpty(r.getStudyDescription()) : "");
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    @Override
    public String toString() {
        // records print their fields: this one must not put patient data into a log line or an exception message
        return "PatientStudy[study " + studyInstanceUid + "]";
    }
}

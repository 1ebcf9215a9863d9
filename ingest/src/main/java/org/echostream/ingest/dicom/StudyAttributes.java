package org.echostream.ingest.dicom;

/**
 * Study-level attributes that identify a patient. They go to the StudyRecord only; {@link #toString()}
 * prints the Study Instance UID alone so that no log line can carry them by accident.
 */
public record StudyAttributes(String patientId, String patientName, String patientBirthDate, String patientSex,
                              String accessionNumber, String studyDate, String studyTime, String studyDescription,
                              String institutionName) {

    @Override
    public String toString() {
        return "StudyAttributes[patient data withheld]";
    }
}

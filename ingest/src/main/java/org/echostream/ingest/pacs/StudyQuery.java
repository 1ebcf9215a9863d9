package org.echostream.ingest.pacs;

import java.time.LocalDate;

/**
 * One study-level query (C-FIND or QIDO-RS): ultrasound studies in the date range, of one patient or one
 * accession number when given. Never a wildcard: values are matched exactly.
 */
public record StudyQuery(LocalDate from, LocalDate to, String patientId, String accessionNumber) {

    /** The DICOM date range matching value (PS3.4 C.2.2.2.5), e.g. {@code 20240101-20240131}; empty for any date. */
    public String dateRange() {
        if (from == null && to == null) {
            return "";
        }
        return (from == null ? "" : dicomDate(from)) + "-" + (to == null ? "" : dicomDate(to));
    }

    private static String dicomDate(LocalDate d) {
        return String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }
}

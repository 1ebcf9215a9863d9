package org.echostream.findings.report;

/** SR relationship types (PS3.3 C.17.3.2.4), written as their DICOM defined terms. */
public enum Relationship {
    CONTAINS("CONTAINS"),
    HAS_OBS_CONTEXT("HAS OBS CONTEXT"),
    HAS_CONCEPT_MOD("HAS CONCEPT MOD"),
    HAS_PROPERTIES("HAS PROPERTIES"),
    INFERRED_FROM("INFERRED FROM"),
    SELECTED_FROM("SELECTED FROM");

    private final String term;

    Relationship(String term) {
        this.term = term;
    }

    public String term() {
        return term;
    }
}

package org.echostream.findings.report;

/**
 * A coded concept as a DICOM Code Sequence item carries it: Code Value, Coding Scheme Designator, Code Meaning.
 */
public record Code(String value, String scheme, String meaning) {

    public Code {
        if (value == null || value.isBlank() || value.length() > 16) {
            throw new IllegalArgumentException("code value '" + value + "' must be 1 to 16 characters (DICOM SH)");
        }
        if (scheme == null || scheme.isBlank() || scheme.length() > 16) {
            throw new IllegalArgumentException("coding scheme designator '" + scheme + "' must be 1 to 16 characters (DICOM SH)");
        }
        if (meaning == null || meaning.isBlank() || meaning.length() > 64) {
            throw new IllegalArgumentException("code meaning '" + meaning + "' must be 1 to 64 characters (DICOM LO)");
        }
    }
}

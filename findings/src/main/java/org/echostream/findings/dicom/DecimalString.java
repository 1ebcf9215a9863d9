package org.echostream.findings.dicom;

import java.math.BigDecimal;
import java.math.MathContext;

/** DICOM DS values: at most 16 characters, so a double is rounded to the most significant digits that fit. */
final class DecimalString {

    private static final int MAX_CHARS = 16;

    private DecimalString() {
    }

    static String of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(value + " cannot be written as a DICOM decimal string");
        }
        BigDecimal exact = new BigDecimal(Double.toString(value));
        for (int digits = MAX_CHARS; digits >= 1; digits--) {
            BigDecimal rounded = exact.round(new MathContext(digits)).stripTrailingZeros();
            String plain = rounded.toPlainString();
            if (plain.length() <= MAX_CHARS) {
                return plain;
            }
            String scientific = rounded.toString();
            if (scientific.length() <= MAX_CHARS) {
                return scientific;
            }
        }
        throw new IllegalArgumentException(value + " does not fit 16 characters");
    }
}

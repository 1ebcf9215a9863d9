package org.echostream.findings.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecimalStringTest {

    @Test
    void keeps_short_values_exact() {
        assertThat(DecimalString.of(0.91)).isEqualTo("0.91");
        assertThat(DecimalString.of(6.0)).isEqualTo("6");
        assertThat(DecimalString.of(-1.25)).isEqualTo("-1.25");
    }

    @Test
    void rounds_long_values_to_sixteen_characters() {
        assertThat(DecimalString.of(0.1234567890123456789)).isEqualTo("0.12345678901235");
        assertThat(DecimalString.of(-0.1234567890123456789)).hasSizeLessThanOrEqualTo(16);
        assertThat(DecimalString.of(1.6000000000000001)).isEqualTo("1.6");
    }

    @Test
    void uses_an_exponent_for_very_large_and_very_small_values() {
        assertThat(DecimalString.of(1.5e300)).isEqualTo("1.5E+300");
        assertThat(Double.parseDouble(DecimalString.of(-2.2250738585072014E-308))).isCloseTo(-2.2250738585072014E-308, org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(DecimalString.of(-2.2250738585072014E-308)).hasSizeLessThanOrEqualTo(16);
    }

    @Test
    void refuses_what_a_decimal_string_cannot_hold() {
        assertThatThrownBy(() -> DecimalString.of(Double.NaN)).hasMessageContaining("NaN");
    }
}

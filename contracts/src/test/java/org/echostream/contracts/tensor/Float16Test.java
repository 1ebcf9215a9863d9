package org.echostream.contracts.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.echostream.contracts.TokenEncoding;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void every_half_value_survives_half_to_float_to_half() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short half = (short) bits;
            float f = Float16.toFloat(half);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(f)))).isTrue();
            } else {
                assertThat(Float16.fromFloat(f)).as("half bits 0x%04x", bits).isEqualTo(half);
            }
        }
    }

    @Test
    void known_values_and_special_cases() {
        assertThat(Float16.fromFloat(1.0f)).isEqualTo((short) 0x3c00);
        assertThat(Float16.fromFloat(-2.0f)).isEqualTo((short) 0xc000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Float16.fromFloat(65520f)).as("rounds up to infinity").isEqualTo((short) 0x7c00);
        assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xfc00);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.NaN))).isNaN();
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Float16.fromFloat(1e-9f)).isEqualTo((short) 0);
        // 1 + 2^-11 lies exactly between two halves: ties go to the even one (1.0)
        assertThat(Float16.fromFloat(1.0f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Float16.fromFloat(1.0f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
    }

    @Test
    void relative_error_of_normal_range_values_is_within_half_an_ulp() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) (random.nextGaussian() * 10);
            if (Math.abs(f) < 6.2e-5f) {
                continue; // subnormal halves have absolute, not relative, precision
            }
            float back = Float16.toFloat(Float16.fromFloat(f));
            assertThat(Math.abs(back - f) / Math.abs(f)).as("value %s", f).isLessThanOrEqualTo(0x1p-11f);
        }
    }

    @Test
    void token_codec_round_trips_both_encodings_and_checks_sizes() {
        float[] values = {0f, 1.5f, -3.25f, 1000f};
        ByteBuffer f32 = TokenCodec.encode(values, TokenEncoding.FLOAT32);
        assertThat(f32.remaining()).isEqualTo(16);
        assertThat(TokenCodec.decode(f32, TokenEncoding.FLOAT32, 4)).containsExactly(values);
        ByteBuffer f16 = TokenCodec.encode(values, TokenEncoding.FLOAT16);
        assertThat(f16.remaining()).isEqualTo(8);
        assertThat(TokenCodec.decode(f16, TokenEncoding.FLOAT16, 4)).containsExactly(values);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenCodec.decode(f16, TokenEncoding.FLOAT16, 5))
                .hasMessageContaining("8 bytes, expected 10");
    }
}

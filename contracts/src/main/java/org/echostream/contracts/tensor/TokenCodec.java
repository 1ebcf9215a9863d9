package org.echostream.contracts.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.echostream.contracts.TokenEncoding;

/**
 * Packs token tensors ([tokens, dim] row-major float32) into the little-endian bytes carried by
 * {@code ClipLatents}, and back. Float16 halves the record size; the anomaly service measures the
 * effect on surprise in its tests.
 */
public final class TokenCodec {

    private TokenCodec() {
    }

    public static int bytesPerValue(TokenEncoding encoding) {
        return encoding == TokenEncoding.FLOAT16 ? Short.BYTES : Float.BYTES;
    }

    /** Encodes {@code count} floats starting at the buffer's position (position is not moved). */
    public static ByteBuffer encode(FloatBuffer values, int count, TokenEncoding encoding) {
        ByteBuffer out = ByteBuffer.allocate(count * bytesPerValue(encoding)).order(ByteOrder.LITTLE_ENDIAN);
        int base = values.position();
        if (encoding == TokenEncoding.FLOAT16) {
            for (int i = 0; i < count; i++) {
                out.putShort(Float16.fromFloat(values.get(base + i)));
            }
        } else {
            for (int i = 0; i < count; i++) {
                out.putFloat(values.get(base + i));
            }
        }
        return out.flip();
    }

    public static ByteBuffer encode(float[] values, TokenEncoding encoding) {
        return encode(FloatBuffer.wrap(values), values.length, encoding);
    }

    /**
     * @throws IllegalArgumentException when the byte count does not match {@code expectedValues}
     */
    public static float[] decode(ByteBuffer bytes, TokenEncoding encoding, int expectedValues) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int expectedBytes = expectedValues * bytesPerValue(encoding);
        if (in.remaining() != expectedBytes) {
            throw new IllegalArgumentException("token tensor holds " + in.remaining() + " bytes, expected "
                    + expectedBytes + " (" + expectedValues + " values as " + encoding + ")");
        }
        float[] out = new float[expectedValues];
        if (encoding == TokenEncoding.FLOAT16) {
            for (int i = 0; i < expectedValues; i++) {
                out[i] = Float16.toFloat(in.getShort());
            }
        } else {
            in.asFloatBuffer().get(out);
        }
        return out;
    }
}

package org.echostream.anomaly.series;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Series state to bytes and back, as JSON: a few kilobytes a series, readable when an operator dumps the
 * store's changelog, and tolerant of fields added later (unknown fields are ignored, missing ones keep
 * their defaults). The {@code format} field guards changes of meaning.
 */
public final class SeriesStateCodec {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            // Running maxima start at -Infinity (no clip yet); JSON has no such number, so allow the token.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private SeriesStateCodec() {
    }

    public static byte[] encode(SeriesState state) {
        try {
            return JSON.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException("series " + state.seriesInstanceUid + ": state cannot be serialised", e);
        }
    }

    /** @throws IllegalStateException when the bytes are not a series state this version can read */
    public static SeriesState decode(byte[] bytes) {
        SeriesState state;
        try {
            state = JSON.readValue(bytes, SeriesState.class);
        } catch (IOException e) {
            throw new IllegalStateException("series state of " + bytes.length + " bytes is not readable: " + e.getMessage(), e);
        }
        if (state.format != SeriesState.FORMAT) {
            throw new IllegalStateException("series " + state.seriesInstanceUid + ": state format " + state.format
                    + " is not " + SeriesState.FORMAT + "; this version cannot read it");
        }
        return state;
    }
}

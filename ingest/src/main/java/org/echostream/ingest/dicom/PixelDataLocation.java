package org.echostream.ingest.dicom;

import java.util.List;

/** Where the top-level Pixel Data element lies in the data set buffer of a {@link ScannedObject}. */
public sealed interface PixelDataLocation {

    /** Native (uncompressed) pixels: one value of {@code length} bytes at {@code offset}. */
    record Native(int offset, int length, String vr) implements PixelDataLocation {
    }

    /**
     * Encapsulated pixels: the items of the pixel data sequence, the first being the Basic Offset Table
     * (possibly empty).
     */
    record Encapsulated(List<Fragment> items) implements PixelDataLocation {
        public Encapsulated {
            items = List.copyOf(items);
        }
    }

    /** Float or Double Float Pixel Data (parametric maps): no grayscale cine comes this way. */
    record Unsupported(String element) implements PixelDataLocation {
    }

    /** One item of encapsulated pixel data. */
    record Fragment(int offset, int length) {
    }
}

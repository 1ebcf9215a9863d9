package org.echostream.ingest.dicom;

/**
 * The Palette Color Lookup Tables of a PALETTE COLOR image as stored: a descriptor (entries, first
 * mapped value, bits per entry) and the 16-bit words of the data for each of red, green and blue.
 * When {@code segmented}, the words are Segmented Palette Color LUT Data (PS3.3 C.7.9.2).
 */
public record PaletteTables(int[] redDescriptor, int[] greenDescriptor, int[] blueDescriptor,
                            int[] red, int[] green, int[] blue, boolean segmented) {
}

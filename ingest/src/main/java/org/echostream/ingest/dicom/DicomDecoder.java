package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;

/**
 * Decodes one DICOM Part 10 object into its attributes and grayscale frames. The only door to a DICOM
 * toolkit: the PixelMed adapter implements it today; another toolkit would be a second implementation.
 * Never throws on bad input: every failure is a {@link DecodeOutcome.Rejected} with its reason.
 */
public interface DicomDecoder {

    /** @param file the whole Part 10 file (preamble first); not modified */
    DecodeOutcome decode(ByteBuffer file);
}

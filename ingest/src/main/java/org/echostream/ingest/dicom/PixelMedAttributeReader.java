package org.echostream.ingest.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the attributes ingest needs with PixelMed, from the bounds-checked bytes before the pixel data
 * (ingest reads the pixel data itself). PixelMed handles value representations, character sets and
 * sequences; nothing of PixelMed leaves this class.
 */
final class PixelMedAttributeReader {

    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();
    // Tags by their keyword in PixelMed's copy of the standard's data dictionary, never typed by hand.
    private static final AttributeTag SOP_CLASS_UID = tag("SOPClassUID");
    private static final AttributeTag SOP_INSTANCE_UID = tag("SOPInstanceUID");
    private static final AttributeTag STUDY_INSTANCE_UID = tag("StudyInstanceUID");
    private static final AttributeTag SERIES_INSTANCE_UID = tag("SeriesInstanceUID");
    private static final AttributeTag MODALITY = tag("Modality");
    private static final AttributeTag MANUFACTURER = tag("Manufacturer");
    private static final AttributeTag SERIES_NUMBER = tag("SeriesNumber");
    private static final AttributeTag SERIES_DESCRIPTION = tag("SeriesDescription");
    private static final AttributeTag IMAGE_TYPE = tag("ImageType");
    private static final AttributeTag BODY_PART_EXAMINED = tag("BodyPartExamined");
    private static final AttributeTag ROWS = tag("Rows");
    private static final AttributeTag COLUMNS = tag("Columns");
    private static final AttributeTag SAMPLES_PER_PIXEL = tag("SamplesPerPixel");
    private static final AttributeTag BITS_ALLOCATED = tag("BitsAllocated");
    private static final AttributeTag BITS_STORED = tag("BitsStored");
    private static final AttributeTag PIXEL_REPRESENTATION = tag("PixelRepresentation");
    private static final AttributeTag PLANAR_CONFIGURATION = tag("PlanarConfiguration");
    private static final AttributeTag PHOTOMETRIC_INTERPRETATION = tag("PhotometricInterpretation");
    private static final AttributeTag NUMBER_OF_FRAMES = tag("NumberOfFrames");
    private static final AttributeTag FRAME_TIME = tag("FrameTime");
    private static final AttributeTag FRAME_TIME_VECTOR = tag("FrameTimeVector");
    private static final AttributeTag CINE_RATE = tag("CineRate");
    private static final AttributeTag RECOMMENDED_DISPLAY_FRAME_RATE = tag("RecommendedDisplayFrameRate");
    private static final AttributeTag HEART_RATE = tag("HeartRate");
    private static final AttributeTag ULTRASOUND_REGIONS = tag("SequenceOfUltrasoundRegions");
    private static final AttributeTag REGION_SPATIAL_FORMAT = tag("RegionSpatialFormat");
    private static final AttributeTag REGION_DATA_TYPE = tag("RegionDataType");
    private static final AttributeTag REGION_MIN_X0 = tag("RegionLocationMinX0");
    private static final AttributeTag REGION_MIN_Y0 = tag("RegionLocationMinY0");
    private static final AttributeTag REGION_MAX_X1 = tag("RegionLocationMaxX1");
    private static final AttributeTag REGION_MAX_Y1 = tag("RegionLocationMaxY1");
    private static final AttributeTag[] PALETTE_DESCRIPTORS = {
            tag("RedPaletteColorLookupTableDescriptor"), tag("GreenPaletteColorLookupTableDescriptor"), tag("BluePaletteColorLookupTableDescriptor")};
    private static final AttributeTag[] PALETTE_DATA = {
            tag("RedPaletteColorLookupTableData"), tag("GreenPaletteColorLookupTableData"), tag("BluePaletteColorLookupTableData")};
    private static final AttributeTag[] SEGMENTED_PALETTE_DATA = {
            tag("SegmentedRedPaletteColorLookupTableData"), tag("SegmentedGreenPaletteColorLookupTableData"),
            tag("SegmentedBluePaletteColorLookupTableData")};
    private static final AttributeTag PATIENT_ID = tag("PatientID");
    private static final AttributeTag PATIENT_NAME = tag("PatientName");
    private static final AttributeTag PATIENT_BIRTH_DATE = tag("PatientBirthDate");
    private static final AttributeTag PATIENT_SEX = tag("PatientSex");
    private static final AttributeTag ACCESSION_NUMBER = tag("AccessionNumber");
    private static final AttributeTag STUDY_DATE = tag("StudyDate");
    private static final AttributeTag STUDY_TIME = tag("StudyTime");
    private static final AttributeTag STUDY_DESCRIPTION = tag("StudyDescription");
    private static final AttributeTag INSTITUTION_NAME = tag("InstitutionName");

    private PixelMedAttributeReader() {
    }

    static InstanceAttributes read(ScannedObject scanned) throws DicomInputException {
        AttributeList list = new AttributeList();
        // The data set bytes are handed over already inflated; an unknown syntax is parsed as the explicit VR little endian
        // every modern transfer syntax uses for its data set.
        String parseAs = scanned.bigEndian() ? TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.uid()
                : scanned.explicitVr() ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid() : TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid();
        ByteBuffer attributes = scanned.dataset().slice(0, scanned.attributesEnd());
        try (DicomInputStream in = new DicomInputStream(new ByteBufferInputStream(attributes), parseAs, false)) {
            list.read(in);
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            throw new DicomInputException(RejectReason.UNREADABLE_ATTRIBUTES,
                    "the attributes cannot be parsed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        try {
            return extract(list, scanned);
        } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
            throw new DicomInputException(RejectReason.UNREADABLE_ATTRIBUTES,
                    "an attribute has a value of the wrong form (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static InstanceAttributes extract(AttributeList list, ScannedObject scanned) throws com.pixelmed.dicom.DicomException {
        String sopClass = firstNonBlank(string(list, SOP_CLASS_UID), scanned.metaSopClassUid());
        String sopInstance = firstNonBlank(string(list, SOP_INSTANCE_UID), scanned.metaSopInstanceUid());
        var pixels = new InstanceAttributes.PixelModule(
                integer(list, ROWS, 0), integer(list, COLUMNS, 0), integer(list, SAMPLES_PER_PIXEL, 1),
                integer(list, BITS_ALLOCATED, 0), integer(list, BITS_STORED, 0), integer(list, PIXEL_REPRESENTATION, 0),
                integer(list, PLANAR_CONFIGURATION, 0), upper(string(list, PHOTOMETRIC_INTERPRETATION)),
                integer(list, NUMBER_OF_FRAMES, 1));
        var timing = new InstanceAttributes.Timing(numbers(list.get(FRAME_TIME_VECTOR)), number(list, FRAME_TIME),
                number(list, CINE_RATE), number(list, RECOMMENDED_DISPLAY_FRAME_RATE));
        var study = new StudyAttributes(string(list, PATIENT_ID), string(list, PATIENT_NAME), string(list, PATIENT_BIRTH_DATE),
                string(list, PATIENT_SEX), string(list, ACCESSION_NUMBER), string(list, STUDY_DATE), string(list, STUDY_TIME),
                string(list, STUDY_DESCRIPTION), string(list, INSTITUTION_NAME));
        String seriesNumber = string(list, SERIES_NUMBER);
        return new InstanceAttributes(sopClass, sopInstance, string(list, STUDY_INSTANCE_UID), string(list, SERIES_INSTANCE_UID),
                upper(string(list, MODALITY)), string(list, MANUFACTURER), parseInteger(seriesNumber), string(list, SERIES_DESCRIPTION),
                strings(list.get(IMAGE_TYPE)), upper(string(list, BODY_PART_EXAMINED)), pixels, timing, number(list, HEART_RATE),
                regions(list), palette(list, scanned.bigEndian()), study);
    }

    private static List<UltrasoundRegion> regions(AttributeList list) {
        if (!(list.get(ULTRASOUND_REGIONS) instanceof SequenceAttribute sequence)) {
            return List.of();
        }
        List<UltrasoundRegion> regions = new ArrayList<>();
        for (Iterator<SequenceItem> it = sequence.iterator(); it.hasNext(); ) {
            AttributeList item = it.next().getAttributeList();
            regions.add(new UltrasoundRegion(integer(item, REGION_SPATIAL_FORMAT, 0), integer(item, REGION_DATA_TYPE, 0),
                    Attribute.getSingleLongValueOrDefault(item, REGION_MIN_X0, -1), Attribute.getSingleLongValueOrDefault(item, REGION_MIN_Y0, -1),
                    Attribute.getSingleLongValueOrDefault(item, REGION_MAX_X1, -1), Attribute.getSingleLongValueOrDefault(item, REGION_MAX_Y1, -1)));
        }
        return regions;
    }

    private static PaletteTables palette(AttributeList list, boolean bigEndian) throws com.pixelmed.dicom.DicomException {
        int[][] descriptors = new int[3][];
        int[][] data = new int[3][];
        boolean segmented = false;
        for (int c = 0; c < 3; c++) {
            descriptors[c] = Attribute.getIntegerValues(list, PALETTE_DESCRIPTORS[c]);
            Attribute plain = list.get(PALETTE_DATA[c]);
            Attribute seg = list.get(SEGMENTED_PALETTE_DATA[c]);
            if (plain != null) {
                data[c] = words(plain, bigEndian);
            } else if (seg != null) {
                data[c] = words(seg, bigEndian);
                segmented = true;
            }
        }
        if (descriptors[0] == null && data[0] == null) {
            return null;
        }
        return new PaletteTables(descriptors[0], descriptors[1], descriptors[2], data[0], data[1], data[2], segmented);
    }

    /** OW values as unsigned 16-bit words; a value PixelMed kept as raw bytes (UN) is read in the data set's byte order. */
    private static int[] words(Attribute attribute, boolean bigEndian) throws com.pixelmed.dicom.DicomException {
        String vr = new String(attribute.getVR(), StandardCharsets.US_ASCII);
        if (vr.equals("OW") || vr.equals("US") || vr.equals("SS") || vr.equals("XS")) {
            short[] shorts = attribute.getShortValues();
            int[] out = new int[shorts.length];
            for (int i = 0; i < shorts.length; i++) {
                out[i] = shorts[i] & 0xFFFF;
            }
            return out;
        }
        byte[] bytes = attribute.getByteValues();
        int[] out = new int[bytes.length / 2];
        for (int i = 0; i < out.length; i++) {
            int a = bytes[2 * i] & 0xFF;
            int b = bytes[2 * i + 1] & 0xFF;
            out[i] = bigEndian ? (a << 8) | b : (b << 8) | a;
        }
        return out;
    }

    private static String string(AttributeList list, AttributeTag tag) {
        String value = Attribute.getSingleStringValueOrNull(list, tag);
        if (value == null) {
            Attribute attribute = list.get(tag);
            if (attribute != null && isRawBytes(attribute)) {
                value = rawText(attribute).split("\\\\", -1)[0];
            }
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static List<String> strings(Attribute attribute) {
        if (attribute == null) {
            return List.of();
        }
        String[] values = isRawBytes(attribute) ? rawText(attribute).split("\\\\", -1) : Attribute.getStringValues(attribute);
        return values == null ? List.of() : Arrays.stream(values).map(v -> v == null ? "" : v.trim().toUpperCase()).toList();
    }

    private static Double number(AttributeList list, AttributeTag tag) {
        double[] values = numbers(list.get(tag));
        return values == null || values.length == 0 ? null : values[0];
    }

    /** Decimal or integer strings (DS, IS); null when absent or not numbers. */
    private static double[] numbers(Attribute attribute) {
        if (attribute == null) {
            return null;
        }
        String[] values = isRawBytes(attribute) ? rawText(attribute).split("\\\\") : Attribute.getStringValues(attribute);
        if (values == null || values.length == 0) {
            return null;
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            try {
                out[i] = Double.parseDouble(values[i].trim());
            } catch (NumberFormatException | NullPointerException e) {
                return null;
            }
            if (!Double.isFinite(out[i])) {
                return null;
            }
        }
        return out;
    }

    private static int integer(AttributeList list, AttributeTag tag, int absent) {
        Attribute attribute = list.get(tag);
        if (attribute == null || attribute.getVM() == 0) {
            return absent;
        }
        Integer parsed = isRawBytes(attribute) ? null : parseInteger(Attribute.getSingleStringValueOrNull(attribute));
        return parsed == null ? Attribute.getSingleIntegerValueOrDefault(attribute, absent) : parsed;
    }

    private static Integer parseInteger(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(value.trim());
                return d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE ? (int) d : null;
            } catch (NumberFormatException e2) {
                return null;
            }
        }
    }

    private static boolean isRawBytes(Attribute attribute) {
        String vr = new String(attribute.getVR(), StandardCharsets.US_ASCII);
        return vr.equals("UN") || vr.equals("OB");
    }

    private static String rawText(Attribute attribute) {
        try {
            return new String(attribute.getByteValues(), StandardCharsets.ISO_8859_1).replace("\0", "").trim();
        } catch (com.pixelmed.dicom.DicomException e) {
            return "";
        }
    }

    private static String upper(String value) {
        return value == null ? null : value.trim().toUpperCase();
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : (b == null || b.isBlank() ? null : b);
    }

    private static AttributeTag tag(String keyword) {
        AttributeTag tag = DICTIONARY.getTagFromName(keyword);
        if (tag == null) {
            throw new IllegalStateException("PixelMed's data dictionary has no attribute named " + keyword);
        }
        return tag;
    }

    /** Reads a ByteBuffer without copying it. */
    private static final class ByteBufferInputStream extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInputStream(ByteBuffer buffer) {
            this.buffer = buffer.duplicate();
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return buffer.remaining();
        }
    }
}

package org.echostream.ingest.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.echostream.ingest.dicom.InstanceAttributes;
import org.echostream.ingest.prep.NotScoredReason;

/**
 * Recognises, from coded attributes only, decoded images that are not echocardiography cine loops: other
 * modalities, ultrasound of other anatomy (Image Type value 3 onwards, Body Part Examined, e.g. OBSTETRICAL,
 * ABDOM/RAD), still images. Free text such as descriptions is never parsed: it is unreliable and may hold
 * patient data. Unknown anatomy is given the benefit of the doubt.
 */
public final class InstanceClassifier {

    private final Set<String> nonCardiacTerms;

    /** @param nonCardiacTerms Image Type or Body Part Examined values meaning non-cardiac anatomy, any case */
    public InstanceClassifier(List<String> nonCardiacTerms) {
        this.nonCardiacTerms = nonCardiacTerms.stream().map(t -> t.trim().toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** @return the reason not to score it, or null when it may be a cardiac cine loop */
    public InstanceVerdict.NotScored classify(InstanceAttributes attributes) {
        String modality = attributes.modality();
        if (modality != null && !modality.equals("US")) {
            return new InstanceVerdict.NotScored(NotScoredReason.NOT_ULTRASOUND,
                    "Modality is " + printable(modality) + "; only ultrasound (US) is scored");
        }
        List<String> anatomy = new ArrayList<>();
        List<String> imageType = attributes.imageType();
        if (imageType.size() > 2) {
            anatomy.addAll(imageType.subList(2, imageType.size()));
        }
        if (attributes.bodyPartExamined() != null) {
            anatomy.add(attributes.bodyPartExamined());
        }
        for (String value : anatomy) {
            String term = nonCardiacTerm(value);
            if (term != null) {
                return new InstanceVerdict.NotScored(NotScoredReason.NON_CARDIAC,
                        "the image is marked " + term + " (Image Type / Body Part Examined): not a cardiac study");
            }
        }
        if (attributes.pixels().frames() <= 1) {
            return new InstanceVerdict.NotScored(NotScoredReason.SINGLE_FRAME, "a single frame: a still image, not a cine loop");
        }
        return null;
    }

    /** A value matches as a whole or by one of its '/'-separated parts (ABDOM/RAD). */
    private String nonCardiacTerm(String value) {
        String upper = value.trim().toUpperCase(Locale.ROOT);
        if (nonCardiacTerms.contains(upper)) {
            return printable(upper);
        }
        for (String part : upper.split("/")) {
            if (nonCardiacTerms.contains(part.trim())) {
                return printable(part.trim());
            }
        }
        return null;
    }

    private static String printable(String value) {
        String v = value.replaceAll("[^A-Za-z0-9_ /\\-]", "?");
        return v.length() > 32 ? v.substring(0, 32) : v;
    }
}

package org.echostream.ingest.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.ingest.pipeline.InstanceClassifier;
import org.echostream.ingest.pipeline.InstanceProcessor;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.ingest.prep.Prep1;
import org.echostream.ingest.prep.RegionFinder;

/** The pipeline pieces as the service configures them by default, for tests. */
public final class Pipelines {

    public static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    public static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    public static final List<String> NON_CARDIAC = List.of("OBSTETRICAL", "GYNECOLOGY", "ABDOMINAL", "ABDOM", "ABDOMEN", "PELVIC",
            "PELVIS", "BREAST", "SMALL PARTS", "VASCULAR", "MUSCULOSKELETAL", "TRANSVAGINAL", "ENDOVAGINAL", "TRANSRECTAL", "SCROTAL",
            "OPHTHALMIC", "NEONATAL HEAD", "RETROPERITONEAL", "THYROID", "KIDNEY", "LIVER");
    public static final Prep1.Settings PREP = new Prep1.Settings(new RegionFinder.Settings(10, 0.01), 2);

    private Pipelines() {
    }

    public static InstanceProcessor processor(ClipShape shape) {
        return new InstanceProcessor(new PixelMedDicomDecoder(TestFiles.LIMITS), shape, new InstanceClassifier(NON_CARDIAC), PREP, CLOCK);
    }
}

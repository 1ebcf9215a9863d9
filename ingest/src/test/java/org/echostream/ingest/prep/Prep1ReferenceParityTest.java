package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.echostream.ingest.dicom.DecodeOutcome;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prep-1 in Java gives the clips of the model's reference implementation (model/echomodel/prep.py, run with Debian's
 * python3 and pydicom) on the same file: the same number of clips and the same pixels, but for the rounding
 * of a few area averages that land within 1e-13 of a half (the two sum in a different order). Runs where the
 * model's code is present (after the model release merges; -Dechostream.prep-reference=PATH elsewhere).
 */
class Prep1ReferenceParityTest {

    private static final Path REFERENCE = Path.of(System.getProperty("echostream.prep-reference", "../model/echomodel/prep.py")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void java_clips_match_the_reference_preprocessing() throws Exception {
        assumeTrue(Files.isRegularFile(REFERENCE), "model/echomodel/prep.py is not in this checkout");
        Path file = dir.resolve("loop.dcm");
        Files.write(file, new SyntheticEcho(150, 200, 101, 40, 0.8).toPart10("2.25.31337", true, false, 72));
        Path out = dir.resolve("reference.u8");
        String script = String.join("\n",
                "import sys, numpy as np",
                "sys.path.insert(0, sys.argv[1])",
                "from echomodel import prep",
                "arr, times, region, hr = prep.read_dicom_loop(sys.argv[2])",
                "cfg = prep.PrepConfig(size=64, fps=12.0, frames=16)",
                "clips = prep.clips_from_frames(prep.preprocess_frames(arr, times, region, cfg), cfg)",
                "clips.astype(np.uint8).tofile(sys.argv[3])",
                "print(len(clips))");
        Dcmtk.Result r = Dcmtk.run(List.of("/usr/bin/python3", "-c", script, REFERENCE.getParent().getParent().toString(), file.toString(), out.toString()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        byte[] reference = Files.readAllBytes(out);

        DecodeOutcome.Decoded decoded = (DecodeOutcome.Decoded) new PixelMedDicomDecoder(TestFiles.LIMITS).decode(ByteBuffer.wrap(Files.readAllBytes(file)));
        PreparedLoop loop = ((Prep1.Result.Prepared) Prep1.prepare(decoded.loop(), decoded.attributes(), TestFiles.shape(), Pipelines.PREP)).loop();
        assertThat(loop.clips().size() * 16 * 64 * 64).as("clips x 16 x 64 x 64").isEqualTo(reference.length);
        int differing = 0;
        int n = 0;
        for (PreparedLoop.ClipWindow clip : loop.clips()) {
            for (byte b : clip.pixels()) {
                int d = Math.abs((b & 0xFF) - (reference[n++] & 0xFF));
                assertThat(d).as("grey-level difference at byte %d", n - 1).isLessThanOrEqualTo(1);
                differing += d;
            }
        }
        assertThat((double) differing / reference.length).as("fraction of pixels off by one").isLessThan(1e-3);
    }
}

package org.echostream.ingest.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mutated DICOM files made by zzuf (Debian package zzuf): bit flips at several ratios, over whole files or
 * only past the file meta information (so that the data set parser, not the prefix check, meets them).
 */
public final class Mutations {

    private static final double[] RATIOS = {0.00005, 0.0005, 0.004};

    private Mutations() {
    }

    /** The seeds of the corpus: the vendor samples, a few pydicom files of other encodings, and a synthetic RLE echo. */
    public static List<Path> seeds(Path dir) throws IOException {
        List<Path> seeds = new ArrayList<>(TestFiles.sampleFiles());
        for (String name : List.of("SC_rgb_jpeg_dcmtk.dcm", "JPEG2000.dcm", "image_dfl.dcm", "MR_small_bigendian.dcm", "SC_rgb_rle_16bit.dcm",
                "SC_rgb_dcmtk_+eb+cy+np.dcm", "MR_small_implicit.dcm", "SC_rgb_jpeg_gdcm.dcm")) {
            seeds.add(TestFiles.PYDICOM.resolve(name));
        }
        Path synthetic = dir.resolve("synthetic-rle.dcm");
        Files.write(synthetic, new SyntheticEcho(60, 80, 30, 40, 0.8).toPart10("2.25.4242", true, true, 70));
        seeds.add(synthetic);
        return seeds;
    }

    /** {@code count} mutated files written under {@code dir}, deterministic for a given seed list. */
    public static List<Path> make(List<Path> seeds, Path dir, int count) throws IOException, InterruptedException {
        List<Path> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path seed = seeds.get(i % seeds.size());
            double ratio = RATIOS[(i / seeds.size()) % RATIOS.length];
            boolean pastMeta = (i / (seeds.size() * RATIOS.length)) % 2 == 0;
            Path target = dir.resolve(String.format("mutant-%04d.dcm", i));
            List<String> command = new ArrayList<>(List.of("zzuf", "-s", String.valueOf(i + 1), "-r", String.valueOf(ratio)));
            if (pastMeta) {
                command.addAll(List.of("-b", "400-"));
            }
            command.addAll(List.of("cat", seed.toString()));
            Process p = new ProcessBuilder(command).redirectOutput(target.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("zzuf failed on " + seed + " (is zzuf installed? run bin/bootstrap)");
            }
            out.add(target);
        }
        return out;
    }
}

package org.echostream.api.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.echostream.api.model.StudyEmbeddings;
import org.echostream.api.render.CineSprite;
import org.echostream.api.render.HeatmapKeyframe;

/**
 * Figures for docs/benchmarks.md (run by api/bench/run.sh, never by the test suite): brute-force
 * similar-study search against the number of studies, and the cost of drawing a keyframe and a cine sprite.
 * Prints the median and 90th percentile of repeated runs after a warm-up.
 */
public final class ApiBenchmark {

    private static final int DIM = 192; // ViT-Tiny's embedding width
    private static final int RUNS = 30;

    public static void main(String[] args) {
        System.out.printf("java %s, %d cores available%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        for (int studies : new int[] {1_000, 10_000, 100_000}) {
            similar(studies);
        }
        keyframe();
        sprite();
    }

    private static void similar(int studies) {
        Random random = new Random(42);
        StudyEmbeddings embeddings = new StudyEmbeddings();
        for (int s = 0; s < studies; s++) {
            List<Float> v = new ArrayList<>(DIM);
            for (int i = 0; i < DIM; i++) {
                v.add((float) random.nextGaussian());
            }
            embeddings.add("study-" + s, "m@1", "clip-0", v);
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory();
        long[] nanos = time(() -> embeddings.nearest("study-0", 5));
        System.out.printf("similar studies, %,7d studies x %d dims: median %8.2f ms, p90 %8.2f ms (heap in use after load ~%d MiB)%n",
                studies, DIM, nanos[RUNS / 2] / 1e6, nanos[RUNS * 9 / 10] / 1e6, heap >> 20);
    }

    private static void keyframe() {
        Random random = new Random(1);
        byte[] frame = new byte[112 * 112];
        random.nextBytes(frame);
        float[] tokens = new float[8 * 7 * 7];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextFloat();
        }
        long[] nanos = time(() -> HeatmapKeyframe.png(112, 112, frame, null, new int[] {8, 7, 7}, tokens, 1.0, List.of(), 3));
        System.out.printf("keyframe PNG, 112 px frame + 8x7x7 heatmap, drawn at 336 px: median %6.2f ms, p90 %6.2f ms%n",
                nanos[RUNS / 2] / 1e6, nanos[RUNS * 9 / 10] / 1e6);
    }

    private static void sprite() {
        Random random = new Random(2);
        java.util.TreeMap<Integer, byte[]> frames = new java.util.TreeMap<>();
        for (int f = 0; f < 96; f++) {
            byte[] frame = new byte[112 * 112];
            random.nextBytes(frame);
            frames.put(f, frame);
        }
        long[] nanos = time(() -> CineSprite.png(112, 112, frames));
        System.out.printf("cine sprite PNG, 96 frames of 112 px (noise, the worst case for PNG): median %6.2f ms, p90 %6.2f ms%n",
                nanos[RUNS / 2] / 1e6, nanos[RUNS * 9 / 10] / 1e6);
    }

    private static long[] time(Runnable work) {
        for (int i = 0; i < 5; i++) {
            work.run();
        }
        long[] nanos = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            work.run();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private ApiBenchmark() {
    }
}

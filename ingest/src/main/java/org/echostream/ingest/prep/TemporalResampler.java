package org.echostream.ingest.prep;

/**
 * prep-1 step 2: output frame j (j = 0.. while j/fps <= last source time) is the source frame nearest in
 * time to j/fps; ties go to the earlier frame. No interpolation.
 */
public final class TemporalResampler {

    /** Output times a hair past the last source frame still count, as in the reference (floor(t*fps + 1e-9)). */
    private static final double EPSILON = 1e-9;

    private TemporalResampler() {
    }

    /** @return for each output frame, the index of the source frame it shows */
    public static int[] sourceIndices(double[] sourceSeconds, double fps) {
        int n = sourceSeconds.length;
        int outputs = (int) Math.floor(sourceSeconds[n - 1] * fps + EPSILON) + 1;
        int[] indices = new int[outputs];
        int next = 0; // first source index with time >= the output time
        for (int j = 0; j < outputs; j++) {
            double t = j / fps;
            while (next < n && sourceSeconds[next] < t) {
                next++;
            }
            int after = Math.min(next, n - 1);
            int before = Math.max(Math.min(after - 1, n - 1), 0);
            indices[j] = Math.abs(sourceSeconds[before] - t) <= Math.abs(sourceSeconds[after] - t) ? before : after;
        }
        return indices;
    }
}

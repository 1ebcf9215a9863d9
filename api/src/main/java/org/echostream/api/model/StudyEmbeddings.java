package org.echostream.api.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Study-level embeddings: the mean of the pooled embeddings of a study's clips, kept as a running sum
 * (cosine similarity of means equals that of sums), and brute-force cosine nearest neighbours.
 *
 * <p>Embeddings of different models live in different spaces: a study is compared only with studies
 * embedded by the same model name and version. When a study's clips arrive from a new model (reprocessing),
 * its sum restarts with that model.
 *
 * <p>Cost: one query is one dot product per study of the same model, O(N * D) (N studies, D dimensions),
 * plus O(N log k) to keep the best k; measured in docs/benchmarks.md (100,000 studies of 192 dimensions:
 * 0.1 to 0.2 s on this project's shared 2-core machines). Memory is N * D doubles plus one short key per clip
 * for de-duplication. Beyond a few hundred thousand studies, an approximate index (HNSW, e.g. Lucene's
 * vector fields or pgvector) replaces the scan, or the vectors move into one contiguous float array.
 */
public final class StudyEmbeddings {

    /** @param study the neighbour; {@code similarity} cosine in [-1, 1]; {@code clips} how many clips it averages */
    public record Neighbour(String study, double similarity, int clips) {
    }

    /** @param candidates studies of the same model the query was compared with */
    public record Result(String modelKey, int candidates, List<Neighbour> neighbours) {
    }

    private static final class Sum {
        final String modelKey;
        final double[] values;
        final Set<String> clips = new HashSet<>();
        double norm;

        Sum(String modelKey, int dim) {
            this.modelKey = modelKey;
            this.values = new double[dim];
        }
    }

    private final Map<String, Sum> byStudy = new HashMap<>();

    /**
     * @param modelKey model name and version
     * @param clipKey  identity of the clip within the study (loop and clip index): a replayed clip is counted once
     */
    public Applied add(String study, String modelKey, String clipKey, List<Float> embedding) {
        if (embedding == null || embedding.isEmpty()) {
            return Applied.invalid("study " + study + " clip " + clipKey + ": pooled embedding is empty");
        }
        for (int i = 0; i < embedding.size(); i++) {
            if (!Float.isFinite(embedding.get(i))) {
                return Applied.invalid("study " + study + " clip " + clipKey + ": pooled embedding value " + i + " is " + embedding.get(i));
            }
        }
        Sum sum = byStudy.get(study);
        if (sum == null || !sum.modelKey.equals(modelKey)) {
            sum = new Sum(modelKey, embedding.size());
            byStudy.put(study, sum);
        } else if (sum.values.length != embedding.size()) {
            return Applied.invalid("study " + study + " clip " + clipKey + ": pooled embedding has " + embedding.size()
                    + " values, earlier clips of model " + modelKey + " had " + sum.values.length);
        }
        if (!sum.clips.add(clipKey)) {
            return new Applied.Ignored("clip " + clipKey + " already counted");
        }
        for (int i = 0; i < embedding.size(); i++) {
            sum.values[i] += embedding.get(i);
        }
        sum.norm = norm(sum.values); // kept current on write, so a query costs one dot product per study
        return Applied.stored();
    }

    public int clips(String study) {
        Sum sum = byStudy.get(study);
        return sum == null ? 0 : sum.clips.size();
    }

    public int studies() {
        return byStudy.size();
    }

    /** The {@code k} studies of the same model most similar to {@code study}, best first; empty when it has no embedding. */
    public Optional<Result> nearest(String study, int k) {
        Sum query = byStudy.get(study);
        if (query == null) {
            return Optional.empty();
        }
        double queryNorm = query.norm;
        // The k best so far, worst on top: O(N log k) instead of sorting every candidate.
        Comparator<Neighbour> order = Comparator.comparingDouble(Neighbour::similarity).reversed().thenComparing(Neighbour::study);
        PriorityQueue<Neighbour> best = new PriorityQueue<>(order.reversed());
        int candidates = 0;
        for (Map.Entry<String, Sum> entry : byStudy.entrySet()) {
            Sum other = entry.getValue();
            if (entry.getKey().equals(study) || !other.modelKey.equals(query.modelKey) || other.values.length != query.values.length) {
                continue;
            }
            candidates++;
            if (queryNorm == 0 || other.norm == 0) {
                continue; // no direction to compare
            }
            double dot = 0;
            for (int i = 0; i < query.values.length; i++) {
                dot += query.values[i] * other.values[i];
            }
            best.add(new Neighbour(entry.getKey(), dot / (queryNorm * other.norm), other.clips.size()));
            if (best.size() > k) {
                best.poll();
            }
        }
        List<Neighbour> all = new ArrayList<>(best);
        all.sort(order);
        return Optional.of(new Result(query.modelKey, candidates, List.copyOf(all)));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}

package org.echostream.api.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Study-level embeddings: the mean of the pooled embeddings of a study's clips, kept as a running sum
 * (cosine similarity of means equals that of sums), and brute-force cosine nearest neighbours.
 *
 * <p>Embeddings of different models live in different spaces: a study is compared only with studies
 * embedded by the same model name and version. When a study's clips arrive from a new model (reprocessing),
 * its sum restarts with that model.
 *
 * <p>Cost: one query is O(N * D) (N studies, D dimensions): about N*D multiply-adds, e.g. 100,000
 * studies of 192 dimensions is 19 M, a few milliseconds on one core (docs/benchmarks.md). Memory is
 * N * D doubles plus one short key per clip for de-duplication. Beyond a few hundred thousand studies, an
 * approximate index (HNSW, e.g. Lucene's vector fields or pgvector) replaces the scan.
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
        double queryNorm = norm(query.values);
        List<Neighbour> all = new ArrayList<>();
        int candidates = 0;
        for (Map.Entry<String, Sum> entry : byStudy.entrySet()) {
            Sum other = entry.getValue();
            if (entry.getKey().equals(study) || !other.modelKey.equals(query.modelKey) || other.values.length != query.values.length) {
                continue;
            }
            candidates++;
            double otherNorm = norm(other.values);
            if (queryNorm == 0 || otherNorm == 0) {
                continue; // no direction to compare
            }
            double dot = 0;
            for (int i = 0; i < query.values.length; i++) {
                dot += query.values[i] * other.values[i];
            }
            all.add(new Neighbour(entry.getKey(), dot / (queryNorm * otherNorm), other.clips.size()));
        }
        all.sort(Comparator.comparingDouble(Neighbour::similarity).reversed().thenComparing(Neighbour::study));
        return Optional.of(new Result(query.modelKey, candidates, List.copyOf(all.subList(0, Math.min(k, all.size())))));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}

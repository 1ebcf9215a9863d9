package org.echostream.anomaly.scoring;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a series' clips add up to its continuous {@code anomalyScore}. The model release calibrates a series
 * rule and an operating threshold on held-out normal series; the service computes that same rule, so the
 * threshold means what the release measured. Without one it falls back to {@link RobustClipScores}.
 */
public sealed interface SeriesRule {

    /** The series' running figures the rules read; {@code measures} holds the per-clip measures a {@link General} rule reads. */
    record Figures(int scoredClips, double meanSurprise, double robustClipScore, int normativeClips, double meanNormative,
                   double robustNormativeScore, MeasureTally measures) {
    }

    double score(Figures figures);

    /** The operating threshold the calibration recommends for this rule, if it ships one. */
    OptionalDouble threshold();

    String describe();

    /**
     * The release's {@code combined} rule: {@code (meanS - mu_S) / sd_S + (meanN - mu_N) / sd_N}, with {@code meanS}
     * the mean raw clip-pair surprise and {@code meanN} the mean raw normative distance over the series' clips,
     * standardised by their distribution over calibration normal series. Without normative clips, the surprise
     * term alone.
     */
    record Combined(double surpriseMean, double surpriseStd, double normativeMean, double normativeStd, OptionalDouble threshold)
            implements SeriesRule {
        @Override
        public double score(Figures f) {
            if (f.scoredClips() == 0) {
                return 0;
            }
            double surprise = (f.meanSurprise() - surpriseMean) / surpriseStd;
            return f.normativeClips() == 0 ? surprise : surprise + (f.meanNormative() - normativeMean) / normativeStd;
        }

        @Override
        public String describe() {
            return "combined: z(mean clip surprise) + z(mean normative distance)";
        }
    }

    /** The release's surprise-only rule: {@code (meanS - mu_S) / sd_S}. */
    record SurpriseMean(double surpriseMean, double surpriseStd, OptionalDouble threshold) implements SeriesRule {
        @Override
        public double score(Figures f) {
            return f.scoredClips() == 0 ? 0 : (f.meanSurprise() - surpriseMean) / surpriseStd;
        }

        @Override
        public String describe() {
            return "surprise_mean: z(mean clip surprise)";
        }
    }

    /**
     * The service's own rule when the release ships none: the mean of the capped clip scores without the
     * highest one (one surprising clip alone cannot lift it), mixed with the same for normative scores by
     * {@code normativeWeight}. No calibrated threshold: configure one or flag by events only.
     */
    record RobustClipScores(double normativeWeight) implements SeriesRule {
        @Override
        public double score(Figures f) {
            return f.normativeClips() == 0 ? f.robustClipScore()
                    : (1 - normativeWeight) * f.robustClipScore() + normativeWeight * f.robustNormativeScore();
        }

        @Override
        public OptionalDouble threshold() {
            return OptionalDouble.empty();
        }

        @Override
        public String describe() {
            return "robust mean of capped clip scores" + (normativeWeight > 0 ? " with normative weight " + normativeWeight : "");
        }
    }

    /**
     * The release's general rule (calibration.json {@code series.components}): each component aggregates one
     * per-clip {@link SeriesMeasure} over the series ({@code mean} or {@code max}) and is standardised by its mean
     * and std over calibration normal series, {@code z_i = weight_i * (aggregate_i - mean_i) / std_i}; the score is
     * {@code max_i z_i} ({@code "max"}: an OR of detectors) or {@code sum_i z_i} ({@code "sum"}). A component whose
     * measure has no value yet (no scored pair, say) is left out; with none left, or no scored clip, the score is 0.
     *
     * @param topFraction the fraction of {@link SeriesMeasure#SURPRISE_TOP}, when a component uses it
     * @param motion      the motion statistics, when a component uses a motion measure
     */
    record General(List<Component> components, Combine combine, OptionalDouble threshold, OptionalDouble topFraction,
                   Optional<MotionNorms> motion) implements SeriesRule {

        public General {
            components = List.copyOf(components);
            if (components.isEmpty()) {
                throw new IllegalArgumentException("a series rule needs at least one component");
            }
        }

        /** How components combine. */
        public enum Combine { MAX, SUM }

        /** One term: {@code weight * (aggregate(measure) - mean) / std}. */
        public record Component(String name, SeriesMeasure measure, boolean maximum, double mean, double std, double weight) {
            public Component {
                if (!(std > 0)) {
                    throw new IllegalArgumentException("series component " + name + ": std is " + std + "; it must be positive");
                }
            }

            OptionalDouble z(MeasureTally tally) {
                OptionalDouble value = tally.aggregate(measure, maximum);
                return value.isPresent() ? OptionalDouble.of(weight * (value.getAsDouble() - mean) / std) : OptionalDouble.empty();
            }
        }

        /** The measures the tracker must tally for this rule. */
        public Set<SeriesMeasure> measures() {
            return components.stream().map(Component::measure).collect(Collectors.toCollection(() -> EnumSet.noneOf(SeriesMeasure.class)));
        }

        @Override
        public double score(Figures f) {
            if (f.scoredClips() == 0) {
                return 0;
            }
            double out = combine == Combine.MAX ? Double.NEGATIVE_INFINITY : 0;
            boolean any = false;
            for (Component c : components) {
                OptionalDouble z = c.z(f.measures());
                if (z.isPresent()) {
                    any = true;
                    out = combine == Combine.MAX ? Math.max(out, z.getAsDouble()) : out + z.getAsDouble();
                }
            }
            return any ? out : 0;
        }

        @Override
        public String describe() {
            String terms = components.stream()
                    .map(c -> (c.weight() == 1 ? "" : c.weight() + "*") + "z(" + c.name() + ")")
                    .collect(Collectors.joining(", "));
            return components.size() == 1 ? terms : combine.name().toLowerCase(java.util.Locale.ROOT) + "(" + terms + ")";
        }
    }
}

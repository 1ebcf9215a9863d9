package org.echostream.anomaly.scoring;

import java.util.OptionalDouble;

/**
 * How a series' clips add up to its continuous {@code anomalyScore}. The model release calibrates a series
 * rule and an operating threshold on held-out normal series; the service computes that same rule, so the
 * threshold means what the release measured. Without one it falls back to {@link RobustClipScores}.
 */
public sealed interface SeriesRule {

    /** The series' running figures the rules read. */
    record Figures(int scoredClips, double meanSurprise, double robustClipScore, int normativeClips, double meanNormative,
                   double robustNormativeScore) {
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
}

package org.echostream.api.health;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Live health of the representation, per model and acquisition context, from the pooled clip embeddings on
 * {@code latents.v1}: rolling effective rank (RankMe), per-dimension spread and mean pairwise cosine over the last
 * clips, and a drift test of loop embeddings against a reference.
 *
 * <p>Why loops for the drift test: the clips of one loop are near-copies of each other, so a test on clips would
 * count one unusual loop many times and find "drift" between any two sets of patients. A loop's embedding is the
 * mean of its clips' pooled embeddings, counted once all its clips arrived ({@code clipsInLoop}); loops of different
 * studies are close enough to independent for the permutation test's exchangeability.
 *
 * <p>The reference is the first {@code referenceLoops} loops of each context: the release carries no sample of
 * normal pooled embeddings (its calibration holds a Gaussian of other features), and the api replays latents.v1
 * from its start at every start, so the reference is the oldest loops the topic retains. The test compares the
 * reference with the last {@code driftWindowLoops} loops every {@code evaluateEveryLoops} loops: MMD with an RBF
 * kernel (scale: the reference's median squared distance), p-value from {@code permutations} reassignments;
 * an evaluation alarms when p < {@code alpha}, and the context is DEGRADED while the last
 * {@code consecutiveAlarms} evaluations all alarmed. Thread-safe: one writer (the feed), many readers.
 */
public final class RepresentationMonitor {

    /**
     * @param clipWindow         clips the rolling RankMe, spread and cosine are computed over
     * @param referenceLoops     loops per context taken as the reference
     * @param driftWindowLoops   latest loops compared with the reference
     * @param evaluateEveryLoops new loops between two evaluations
     * @param permutations       permutations of the drift test
     * @param alpha              p-value below which an evaluation alarms
     * @param consecutiveAlarms  alarming evaluations in a row that make a context DEGRADED
     * @param maxContexts        contexts tracked; loops of further ones are counted under scanner "other"
     * @param maxPendingLoops    loops waiting for their last clips; the oldest is taken as complete beyond it
     * @param trendPoints        evaluations kept per context for the trend
     */
    public record Settings(int clipWindow, int referenceLoops, int driftWindowLoops, int evaluateEveryLoops, int permutations, double alpha,
                           int consecutiveAlarms, int maxContexts, int maxPendingLoops, int trendPoints, long seed) {
        public Settings {
            if (clipWindow < 2 || referenceLoops < 2 || driftWindowLoops < 2 || evaluateEveryLoops < 1 || permutations < 1
                    || !(alpha > 0 && alpha < 1) || consecutiveAlarms < 1 || maxContexts < 1 || maxPendingLoops < 1 || trendPoints < 1) {
                throw new IllegalArgumentException("representation health settings out of range: " + this);
            }
            if (alpha * (permutations + 1) < 1) {
                throw new IllegalArgumentException("alpha " + alpha + " cannot be reached with " + permutations
                        + " permutations (the smallest p-value is 1/(permutations + 1))");
            }
        }
    }

    /** @param model model name@version; @param scanner manufacturer as the DICOM says, or "unknown" */
    public record Context(String model, String scanner) {
    }

    public enum State { WARMING_UP, OK, DEGRADED }

    public record Drift(double mmd2, double threshold, double pValue, boolean alarm) {
    }

    public record Point(Instant at, long loops, double rankMe, double meanStd, double meanCosine, double mmd2, double threshold,
                        double pValue, boolean alarm) {
    }

    /** Where one context stands; the statistics are NaN until there is enough data. */
    public record Snapshot(Context context, State state, long clips, long loops, int referenceLoops, int referenceTarget, int dimensions,
                           double rankMe, double meanStd, double minStd, double meanCosine, Drift drift, List<Point> trend) {
    }

    public static final String UNKNOWN_SCANNER = "unknown";
    public static final String OTHER_SCANNER = "other";

    private final Settings settings;
    private final Random random;
    private final Map<Context, ContextState> contexts = new LinkedHashMap<>();
    private final LinkedHashMap<String, PendingLoop> pending = new LinkedHashMap<>();
    /** Loops already counted, so a replayed clip of one does not open it again. */
    private final LinkedHashSet<String> counted = new LinkedHashSet<>();
    /**
     * Complete loops whose scanner is not known yet. While the api rebuilds its view it reads every partition at once, so
     * a loop's latents can come before its instance record; such loops wait here until {@link #settle()} (the view
     * caught up) rather than being counted under "unknown" after every restart.
     */
    private final LinkedHashMap<String, PendingLoop> unresolved = new LinkedHashMap<>();
    private boolean settled;

    public RepresentationMonitor(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = new Random(settings.seed());
    }

    private static final class PendingLoop {
        final String model;
        final int clipsInLoop;
        final Supplier<String> scanner;
        final BitSet seen = new BitSet();
        final List<double[]> clips = new ArrayList<>();
        Instant last;

        PendingLoop(String model, int clipsInLoop, Supplier<String> scanner) {
            this.model = model;
            this.clipsInLoop = clipsInLoop;
            this.scanner = scanner;
        }
    }

    private final class ContextState {
        final Context context;
        final Deque<double[]> clipWindow = new ArrayDeque<>();
        final List<double[]> reference = new ArrayList<>();
        final Deque<double[]> loopWindow = new ArrayDeque<>();
        final Deque<Point> trend = new ArrayDeque<>();
        double scale = Double.NaN;
        long clips;
        long loops;
        long loopsAtLastEvaluation;
        long loopsAtLastStats;
        int alarmsInRow;
        double[] stats;
        Drift drift;
        Snapshot latest;

        ContextState(Context context) {
            this.context = context;
        }

        void add(List<double[]> loopClips, Instant at) {
            for (double[] clip : loopClips) {
                clipWindow.addLast(clip);
                if (clipWindow.size() > settings.clipWindow()) {
                    clipWindow.removeFirst();
                }
            }
            clips += loopClips.size();
            loops++;
            double[] mean = mean(loopClips);
            if (reference.size() < settings.referenceLoops()) {
                reference.add(mean);
                if (reference.size() == settings.referenceLoops()) {
                    scale = EmbeddingStatistics.medianSquaredDistance(reference.toArray(double[][]::new));
                }
            } else {
                loopWindow.addLast(mean);
                if (loopWindow.size() > settings.driftWindowLoops()) {
                    loopWindow.removeFirst();
                }
            }
            if (loopWindow.size() == settings.driftWindowLoops() && loops - loopsAtLastEvaluation >= settings.evaluateEveryLoops()) {
                evaluate(at);
            } else if (stats == null || loops - loopsAtLastStats >= settings.evaluateEveryLoops()) {
                // Warming up, or between two evaluations: the rolling statistics as often as the test would run.
                stats = windowStats();
                loopsAtLastStats = loops;
            }
            latest = snapshot();
        }

        private void evaluate(Instant at) {
            loopsAtLastEvaluation = loops;
            loopsAtLastStats = loops;
            stats = windowStats();
            EmbeddingStatistics.TwoSample test = EmbeddingStatistics.mmdPermutationTest(reference.toArray(double[][]::new),
                    loopWindow.toArray(double[][]::new), scale, settings.permutations(), settings.alpha(), random);
            boolean alarm = test.pValue() < settings.alpha();
            alarmsInRow = alarm ? alarmsInRow + 1 : 0;
            drift = new Drift(test.mmd2(), test.threshold(), test.pValue(), alarm);
            trend.addLast(new Point(at, loops, stats[0], stats[1], stats[3], test.mmd2(), test.threshold(), test.pValue(), alarm));
            if (trend.size() > settings.trendPoints()) {
                trend.removeFirst();
            }
        }

        /** [rankMe, mean std, min std, mean cosine] over the clip window. */
        private double[] windowStats() {
            if (clipWindow.size() < 2) {
                return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            }
            double[][] rows = clipWindow.toArray(double[][]::new);
            double[] std = EmbeddingStatistics.perDimensionStd(rows);
            double meanStd = 0;
            double minStd = Double.POSITIVE_INFINITY;
            for (double s : std) {
                meanStd += s;
                minStd = Math.min(minStd, s);
            }
            return new double[] {EmbeddingStatistics.rankMe(rows), meanStd / std.length, minStd, EmbeddingStatistics.meanPairwiseCosine(rows)};
        }

        private Snapshot snapshot() {
            State state = drift == null ? State.WARMING_UP : alarmsInRow >= settings.consecutiveAlarms() ? State.DEGRADED : State.OK;
            int dims = clipWindow.isEmpty() ? 0 : clipWindow.peekFirst().length;
            return new Snapshot(context, state, clips, loops, reference.size(), settings.referenceLoops(), dims, stats[0], stats[1], stats[2],
                    stats[3], drift, List.copyOf(trend));
        }
    }

    /**
     * One clip's pooled embedding.
     *
     * @param loopKey  identifies the loop (series and SOP Instance UID)
     * @param scanner  the acquisition context, asked once the loop is complete (its instance record has arrived by then)
     */
    public synchronized void add(String model, String loopKey, int clipIndex, int clipsInLoop, List<Float> pooled, Instant at,
                                 Supplier<String> scanner) {
        if (counted.contains(loopKey) || pooled.isEmpty()) {
            return;
        }
        PendingLoop loop = pending.computeIfAbsent(loopKey, k -> new PendingLoop(model, Math.max(1, clipsInLoop), scanner));
        if (loop.seen.get(clipIndex) || !loop.model.equals(model) || (!loop.clips.isEmpty() && loop.clips.get(0).length != pooled.size())) {
            return;
        }
        double[] clip = new double[pooled.size()];
        for (int i = 0; i < clip.length; i++) {
            clip[i] = pooled.get(i);
        }
        loop.seen.set(clipIndex);
        loop.clips.add(clip);
        loop.last = at;
        if (loop.seen.cardinality() >= loop.clipsInLoop) {
            pending.remove(loopKey);
            complete(loopKey, loop);
        }
        while (pending.size() > settings.maxPendingLoops()) {
            Iterator<Map.Entry<String, PendingLoop>> oldest = pending.entrySet().iterator();
            Map.Entry<String, PendingLoop> e = oldest.next();
            oldest.remove();
            complete(e.getKey(), e.getValue());
        }
    }

    private void complete(String loopKey, PendingLoop loop) {
        counted.add(loopKey);
        if (counted.size() > 10 * settings.maxPendingLoops()) {
            Iterator<String> oldest = counted.iterator();
            oldest.next();
            oldest.remove();
        }
        String scanner = loop.scanner.get();
        if ((scanner == null || scanner.isBlank()) && !settled) {
            unresolved.put(loopKey, loop);
            if (unresolved.size() > settings.maxPendingLoops()) {
                retryUnresolved();
                if (unresolved.size() > settings.maxPendingLoops()) {
                    Iterator<Map.Entry<String, PendingLoop>> oldest = unresolved.entrySet().iterator();
                    PendingLoop forced = oldest.next().getValue();
                    oldest.remove();
                    count(forced, forced.scanner.get());
                }
            }
            return;
        }
        count(loop, scanner);
    }

    /** The view has caught up: loops still without a scanner are counted as "unknown", and so are later ones. */
    public synchronized void settle() {
        settled = true;
        retryUnresolved();
        List<PendingLoop> rest = new ArrayList<>(unresolved.values());
        unresolved.clear();
        rest.forEach(loop -> count(loop, null));
    }

    private void retryUnresolved() {
        Iterator<PendingLoop> it = unresolved.values().iterator();
        while (it.hasNext()) {
            PendingLoop loop = it.next();
            String scanner = loop.scanner.get();
            if (scanner != null && !scanner.isBlank()) {
                it.remove();
                count(loop, scanner);
            }
        }
    }

    private void count(PendingLoop loop, String scanner) {
        Context context = new Context(loop.model, scanner == null || scanner.isBlank() ? UNKNOWN_SCANNER : scanner.strip());
        if (!contexts.containsKey(context) && contexts.size() >= settings.maxContexts()) {
            context = new Context(loop.model, OTHER_SCANNER);
        }
        contexts.computeIfAbsent(context, ContextState::new).add(loop.clips, loop.last);
    }

    public synchronized List<Snapshot> snapshots() {
        return contexts.values().stream().map(c -> c.latest).filter(Objects::nonNull)
                .sorted(Comparator.comparing((Snapshot s) -> s.context().model()).thenComparing(s -> s.context().scanner())).toList();
    }

    public synchronized List<Context> contexts() {
        return List.copyOf(contexts.keySet());
    }

    public synchronized java.util.Optional<Snapshot> snapshot(Context context) {
        ContextState state = contexts.get(context);
        return state == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(state.latest);
    }

    private static double[] mean(List<double[]> rows) {
        double[] m = new double[rows.get(0).length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= rows.size();
        }
        return m;
    }
}

package org.echostream.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Streams of simulated loops through the monitor: loops of one acquisition context scatter around a centre, their
 * clips around the loop. A renderer or scanner change moves the centre.
 */
class RepresentationMonitorTest {

    static final int D = 32;
    static final int CLIPS = 6;
    static final String MODEL = "echojepa-sim-tiny@0.3";
    static final RepresentationMonitor.Settings SETTINGS = new RepresentationMonitor.Settings(128, 100, 50, 25, 1000, 0.001, 2, 20, 64, 50, 11);

    /** Feeds loops and returns the states seen after each evaluation. */
    static final class Stream {
        final RepresentationMonitor monitor;
        final Random random;
        final double[] centre = new double[D];
        int loop;

        Stream(RepresentationMonitor monitor, long seed) {
            this.monitor = monitor;
            this.random = new Random(seed);
            for (int i = 0; i < D; i++) {
                centre[i] = Math.cos(i * 0.7);
            }
        }

        List<RepresentationMonitor.State> feed(int loops, String scanner, double[] shift) {
            List<RepresentationMonitor.State> states = new ArrayList<>();
            for (int l = 0; l < loops; l++, loop++) {
                double[] mean = new double[D];
                for (int i = 0; i < D; i++) {
                    mean[i] = centre[i] + shift[i] + 0.5 * random.nextGaussian();
                }
                // Clips arrive out of order, one twice (a replay): the loop still counts once.
                int[] order = {2, 0, 1, 1, 5, 3, 4};
                for (int k : order) {
                    List<Float> clip = new ArrayList<>();
                    for (int i = 0; i < D; i++) {
                        clip.add((float) (mean[i] + 0.1 * random.nextGaussian()));
                    }
                    monitor.add(MODEL, "1.2.3." + loop + "/1.2.3." + loop + ".1", k, CLIPS, clip, Instant.EPOCH.plusSeconds(loop),
                            () -> scanner);
                }
                monitor.snapshot(new RepresentationMonitor.Context(MODEL, scanner)).ifPresent(s -> states.add(s.state()));
            }
            return states;
        }
    }

    static double[] shift(double amount, int dims) {
        double[] s = new double[D];
        for (int i = 0; i < dims; i++) {
            s[i] = amount;
        }
        return s;
    }

    @Test
    void a_normal_stream_never_raises_the_alarm() {
        for (long seed = 1; seed <= 5; seed++) {
            RepresentationMonitor monitor = new RepresentationMonitor(SETTINGS);
            List<RepresentationMonitor.State> states = new Stream(monitor, seed).feed(600, "GE", new double[D]);
            assertThat(states.subList(0, 149)).as("warming up until reference and window are full").containsOnly(RepresentationMonitor.State.WARMING_UP);
            assertThat(states.subList(150, states.size())).as("seed %d", seed).containsOnly(RepresentationMonitor.State.OK);
            var snapshot = monitor.snapshots().get(0);
            assertThat(snapshot.loops()).isEqualTo(600);
            assertThat(snapshot.clips()).isEqualTo(600L * CLIPS);
            assertThat(snapshot.trend()).hasSize((600 - 150) / 25 + 1);
        }
    }

    @Test
    void a_shifted_stream_raises_the_alarm_within_two_windows() {
        RepresentationMonitor monitor = new RepresentationMonitor(SETTINGS);
        Stream stream = new Stream(monitor, 3);
        assertThat(stream.feed(200, "GE", new double[D])).last().isEqualTo(RepresentationMonitor.State.OK);
        // A renderer change: a quarter of the dimensions move by 0.5, the loops' own spread.
        List<RepresentationMonitor.State> after = stream.feed(100, "GE", shift(0.5, D / 4));
        int first = after.indexOf(RepresentationMonitor.State.DEGRADED);
        assertThat(first).as("loops after the change until DEGRADED").isBetween(0, 2 * SETTINGS.driftWindowLoops());
        var snapshot = monitor.snapshots().get(0);
        assertThat(snapshot.state()).isEqualTo(RepresentationMonitor.State.DEGRADED);
        assertThat(snapshot.drift().mmd2()).isGreaterThan(snapshot.drift().threshold());
        assertThat(snapshot.drift().pValue()).isLessThan(SETTINGS.alpha());
    }

    @Test
    void contexts_are_kept_apart_and_a_collapsed_model_shows_in_rank_and_cosine() {
        RepresentationMonitor monitor = new RepresentationMonitor(SETTINGS);
        new Stream(monitor, 4).feed(160, "GE", new double[D]);
        // A second scanner whose embeddings collapsed onto one direction: its rank is ~1, its cosines ~1.
        Random random = new Random(5);
        for (int l = 0; l < 30; l++) {
            double a = 1 + random.nextDouble();
            for (int k = 0; k < CLIPS; k++) {
                List<Float> clip = new ArrayList<>();
                for (int i = 0; i < D; i++) {
                    clip.add((float) (a * Math.cos(i * 0.7)));
                }
                monitor.add(MODEL, "9." + l, k, CLIPS, clip, Instant.EPOCH, () -> "Philips");
            }
        }
        var ge = monitor.snapshot(new RepresentationMonitor.Context(MODEL, "GE")).orElseThrow();
        var philips = monitor.snapshot(new RepresentationMonitor.Context(MODEL, "Philips")).orElseThrow();
        assertThat(ge.loops()).isEqualTo(160);
        assertThat(philips.loops()).isEqualTo(30);
        assertThat(philips.state()).isEqualTo(RepresentationMonitor.State.WARMING_UP);
        assertThat(philips.rankMe()).isLessThan(1.2);
        assertThat(philips.meanCosine()).isGreaterThan(0.999);
        assertThat(ge.rankMe()).isGreaterThan(10);
        assertThat(ge.meanCosine()).isLessThan(0.99);
        assertThat(ge.dimensions()).isEqualTo(D);
    }

    @Test
    void a_loop_whose_scanner_is_not_known_yet_waits_for_its_instance_record_until_the_view_settles() {
        RepresentationMonitor monitor = new RepresentationMonitor(SETTINGS);
        java.util.concurrent.atomic.AtomicReference<String> manufacturer = new java.util.concurrent.atomic.AtomicReference<>();
        List<Float> clip = List.of(1f, 2f, 3f);
        monitor.add(MODEL, "a", 0, 1, clip, Instant.EPOCH, manufacturer::get);
        assertThat(monitor.snapshots()).as("parked, not counted under unknown").isEmpty();
        manufacturer.set("Siemens");
        monitor.settle();
        monitor.add(MODEL, "b", 0, 1, clip, Instant.EPOCH, () -> null);
        assertThat(monitor.contexts()).extracting(RepresentationMonitor.Context::scanner)
                .containsExactly("Siemens", RepresentationMonitor.UNKNOWN_SCANNER);
    }

    @Test
    void a_loop_whose_last_clips_never_come_counts_once_pushed_out_and_an_unknown_scanner_is_named_so() {
        RepresentationMonitor monitor = new RepresentationMonitor(new RepresentationMonitor.Settings(8, 4, 4, 1, 100, 0.05, 1, 2, 2, 5, 1));
        monitor.settle();
        List<Float> clip = List.of(1f, 2f, 3f);
        monitor.add(MODEL, "a", 0, 5, clip, Instant.EPOCH, () -> null);
        monitor.add(MODEL, "b", 0, 5, clip, Instant.EPOCH, () -> null);
        assertThat(monitor.snapshots()).isEmpty();
        monitor.add(MODEL, "c", 0, 5, clip, Instant.EPOCH, () -> null);
        assertThat(monitor.snapshots()).singleElement().satisfies(s -> {
            assertThat(s.context().scanner()).isEqualTo(RepresentationMonitor.UNKNOWN_SCANNER);
            assertThat(s.loops()).isEqualTo(1);
        });
        // A third context beyond maxContexts (2) is counted as "other".
        monitor.add(MODEL, "x", 0, 1, clip, Instant.EPOCH, () -> "A");
        monitor.add(MODEL, "y", 0, 1, clip, Instant.EPOCH, () -> "B");
        assertThat(monitor.contexts()).extracting(RepresentationMonitor.Context::scanner)
                .containsExactly(RepresentationMonitor.UNKNOWN_SCANNER, "A", RepresentationMonitor.OTHER_SCANNER);
    }
}

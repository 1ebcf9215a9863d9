package org.echostream.anomaly;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;

/** Settings of the anomaly service (prefix {@code echostream}); every key is documented in docs/anomaly.md. */
@ConfigMapping(prefix = "echostream")
public interface AnomalyConfig {

    Kafka kafka();

    Model model();

    Scoring scoring();

    Series series();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }

    interface Model {
        /** Model release folder: manifest.json and calibration.json, checked against the manifest's sha256. */
        @WithDefault("model/release")
        Path dir();

        /**
         * sha256 of the release's manifest.json ({@code sha256sum manifest.json}): the manifest vouches for every file,
         * this pin for the manifest, so files and manifest replaced together are refused (the service scores nothing
         * and reports not ready). Set per release in application.properties; no default.
         */
        String releaseSha256();
    }

    interface Scoring {
        /** Normal-loop quantile of clip surprise that scores 1.0 and makes a clip count as surprising. */
        @WithDefault("0.99")
        double thresholdQuantile();

        /** k of the k-of-n rule: surprising clips needed among the last n scored clips of a loop to raise an event. */
        @WithDefault("2")
        int eventMinClips();

        /** n of the k-of-n rule: how many consecutive scored clips of a loop the rule looks at. */
        @WithDefault("3")
        int eventWindowClips();

        /** A clip adds at most this to the fallback series score (no rule in the calibration), so one extreme clip cannot dominate it. */
        @WithDefault("4.0")
        double clipScoreCap();

        /** Event region: grid cells at least this fraction of the way from the map's median to its peak. */
        @WithDefault("0.5")
        double regionFraction();

        /** Series score above which a series is flagged; unset = the release's operating threshold (if any). */
        OptionalDouble seriesThreshold();

        /** Weight (0..0.5) of the normative score in the fallback series score (no rule in the calibration). */
        @WithDefault("0.25")
        double normativeWeight();
    }

    interface Series {
        /** A series with no new clip for this long is closed and gets a CLOSED summary. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** How often (wall clock) the punctuator looks for idle series. */
        @WithDefault("5s")
        Duration idleCheckInterval();

        /**
         * After a start, how long a task that has had no record yet waits before series idleness counts; once a
         * record comes it counts from that record. Covers a predecessor's open transaction (EOS
         * {@code transaction.timeout.ms}, 10 s in Kafka Streams) keeping the input unreadable after a restart.
         */
        @WithDefault("30s")
        Duration restartInputWait();

        /** How long a closed series' state is kept, so a late clip continues its counts instead of starting over. */
        @WithDefault("7d")
        Duration closedRetention();

        /** Scored clips held back waiting for a missing earlier clip of their loop before it is given up as a gap. */
        @WithDefault("4")
        int maxOutOfOrder();
    }
}

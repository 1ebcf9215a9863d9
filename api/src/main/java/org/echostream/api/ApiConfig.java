package org.echostream.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import org.echostream.contracts.security.SignInSettings;

/** Settings of the api service (prefix {@code echostream}); every key is documented in docs/api.md. */
@ConfigMapping(prefix = "echostream")
public interface ApiConfig {

    Kafka kafka();

    Api api();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }

    interface Api {
        Auth auth();

        ReadModel readModel();

        Cine cine();

        Render render();

        Similar similar();

        Jobs jobs();

        Audit audit();

        Feedback feedback();

        Representation representation();

        /** Most rows one worklist or series request returns. */
        @WithDefault("500")
        int maxPageSize();
    }

    interface Auth {
        /** local: users from the generated credentials file (form login and HTTP Basic); oidc: bearer tokens from the hospital's IdP. */
        @WithDefault("local")
        SignInSettings.Mode mode();

        /** The local users file, created with random passwords on first start (mode 600); ingest's STOW-RS reads the same file. */
        @WithDefault("${ECHOSTREAM_DATA_DIR:.data}/api-credentials.properties")
        Path credentialsFile();
    }

    interface ReadModel {
        /** How long one poll of the read-model consumer waits for records. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** How often the rebuild at start logs its progress. */
        @WithDefault("5s")
        Duration progressInterval();

        /** Largest fetch per partition: clip and latents records reach 8 MiB. */
        @WithDefault("10485760")
        int maxPartitionFetchBytes();
    }

    interface Cine {
        /** Bytes of model-resolution frames held for cine loops and keyframes (the least recently used loop is dropped beyond it). */
        @WithDefault("67108864")
        long maxBytes();

        /** Frames held per loop (at 12.8 fps, 256 frames are 20 s); later frames of a longer loop are not held. */
        @WithDefault("256")
        int maxFramesPerLoop();
    }

    interface Render {
        /** Output pixels per model pixel for keyframe PNGs (112 px at 3 gives 336 px). */
        @WithDefault("3")
        int keyframeUpscale();
    }

    interface Similar {
        /** Neighbours returned when the request names no limit. */
        @WithDefault("5")
        int defaultLimit();

        /** Most neighbours one request may ask for. */
        @WithDefault("50")
        int maxLimit();
    }

    interface Jobs {
        /** Most paths in one import job. */
        @WithDefault("100")
        int maxPaths();

        /** How long a job submission waits for the broker's acknowledgement before answering 503. */
        @WithDefault("10s")
        Duration submitTimeout();
    }

    /** Live representation health from latents.v1 (docs/clinician-loop.md). */
    interface Representation {
        /** Latest clips per context over which RankMe, per-dimension std and mean pairwise cosine are computed. */
        @WithDefault("256")
        int clipWindow();

        /** First loops of each context taken as the drift reference. */
        @WithDefault("100")
        int referenceLoops();

        /** Latest loops compared with the reference. */
        @WithDefault("50")
        int driftWindowLoops();

        /** New loops between two drift evaluations (each costs ~0.1 s of CPU at 192 dimensions). */
        @WithDefault("25")
        int evaluateEveryLoops();

        /** Permutations of the drift test. */
        @WithDefault("1000")
        int permutations();

        /** p-value below which an evaluation alarms. */
        @WithDefault("0.001")
        double alpha();

        /** Alarming evaluations in a row that make a context DEGRADED. */
        @WithDefault("2")
        int consecutiveAlarms();

        /** Contexts tracked (model × scanner manufacturer); further scanners are pooled as "other". */
        @WithDefault("50")
        int maxContexts();

        /** Loops waiting for their last clips; beyond it the oldest is counted with the clips it has. */
        @WithDefault("1000")
        int maxPendingLoops();

        /** Evaluations kept per context for the trend. */
        @WithDefault("200")
        int trendPoints();
    }

    interface Feedback {
        /** Most characters of one feedback comment; a longer one is refused (400) rather than cut. */
        @WithDefault("2000")
        int maxCommentChars();

        /** How long a feedback answer waits for the broker's acknowledgement before answering 503 (nothing recorded). */
        @WithDefault("10s")
        Duration submitTimeout();
    }

    interface Audit {
        /** How long the audit producer keeps retrying one record before it counts it as lost (metric and ERROR log). */
        @WithDefault("120s")
        Duration deliveryTimeout();

        /**
         * How long a response waits for its audit record's broker acknowledgement; past it the record goes to the local
         * backlog (or, with none, the response is withheld with 503).
         */
        @WithDefault("5s")
        Duration commitTimeout();

        Backlog backlog();
    }

    interface Backlog {
        /** Keep audit records the broker did not acknowledge in time on local disk (fsynced) and send them later; off: withhold the response. */
        @WithDefault("true")
        boolean enabled();

        /** The backlog folder (0700; one 0600 file per record, deleted once the broker acknowledged it). */
        @WithDefault("${ECHOSTREAM_DATA_DIR:.data}/audit-backlog")
        Path dir();

        /** Most records the backlog holds; beyond it responses carrying patient data are withheld with 503. */
        @WithDefault("100000")
        int maxRecords();

        /** How often the backlog is sent to the broker while it is not empty. */
        @WithDefault("5s")
        Duration retryInterval();
    }
}

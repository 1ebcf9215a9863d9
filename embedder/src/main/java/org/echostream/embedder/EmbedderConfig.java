package org.echostream.embedder;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import org.echostream.contracts.TokenEncoding;
import org.echostream.embedder.core.ExecutionProvider;

/** Settings of the embedder service (prefix {@code echostream}); every key is documented in docs/embedder.md. */
@ConfigMapping(prefix = "echostream")
public interface EmbedderConfig {

    Kafka kafka();

    Model model();

    Embedder embedder();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }

    interface Model {
        /** Model release folder (manifest.json, encoder.onnx, predictor.onnx, ...), relative to the working directory. */
        @WithDefault("model/release")
        String dir();

        /**
         * sha256 of the release's manifest.json ({@code sha256sum manifest.json}): the manifest vouches for every file,
         * this pin for the manifest, so files and manifest replaced together are refused. Set per release in
         * application.properties; no default.
         */
        String releaseSha256();
    }

    interface Embedder {
        /** Most clips per encoder/predictor run. */
        @WithDefault("8")
        int maxBatchSize();

        /** Longest a clip waits for others to fill its batch. */
        @WithDefault("50ms")
        Duration maxWait();

        /** Clips held in memory before consumption pauses (backpressure); at least max-batch-size. */
        @WithDefault("32")
        int maxBufferedClips();

        /** How tokens are packed in ClipLatents: FLOAT16 (half the bytes) or FLOAT32. */
        @WithDefault("FLOAT16")
        TokenEncoding tokenEncoding();

        /** ONNX Runtime execution provider: CPU, or CUDA (needs the cuda Maven profile; falls back to CPU when it cannot load). */
        @WithDefault("CPU")
        ExecutionProvider executionProvider();

        /** CUDA device ordinal when execution-provider is CUDA. */
        @WithDefault("0")
        int cudaDevice();

        /** ONNX Runtime threads inside one operator: the cores this instance may use. */
        @WithDefault("2")
        int intraOpThreads();

        /** ONNX Runtime threads across operators; 1 with sequential execution. */
        @WithDefault("1")
        int interOpThreads();

        /** Full-batch warm-up runs before readiness turns green. */
        @WithDefault("2")
        int warmUpRuns();

        /** Consumer group of all embedder instances (they share the clips partitions). */
        @WithDefault("echostream-embedder")
        String groupId();

        /** Transactional id: unique per instance, stable across its restarts (e.g. the StatefulSet pod name). */
        @WithDefault("echostream-embedder-${HOSTNAME:local}")
        String transactionalId();

        /** How long the broker keeps a silent instance's transaction open before aborting it. */
        @WithDefault("60s")
        Duration transactionTimeout();

        /** Largest latents record published; larger outputs are dead-lettered (the latents topic takes 8 MiB). */
        @WithDefault("8388608")
        int maxRecordBytes();
    }
}

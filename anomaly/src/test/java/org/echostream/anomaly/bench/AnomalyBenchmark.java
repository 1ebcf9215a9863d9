package org.echostream.anomaly.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.echostream.anomaly.scoring.EvidenceRule;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.scoring.ModelRelease;
import org.echostream.anomaly.scoring.NormativeFeatures;
import org.echostream.anomaly.scoring.NormativeModel;
import org.echostream.anomaly.scoring.ScoreScale;
import org.echostream.anomaly.scoring.Surprise;
import org.echostream.anomaly.series.ClipOutcome;
import org.echostream.anomaly.series.SeriesSettings;
import org.echostream.anomaly.series.SeriesState;
import org.echostream.anomaly.series.SeriesStateCodec;
import org.echostream.anomaly.series.SeriesTracker;
import org.echostream.anomaly.series.TensorBuffer;
import org.echostream.anomaly.testing.MapTensorBuffer;
import org.echostream.anomaly.topology.AnomalyMetrics;
import org.echostream.anomaly.topology.AnomalyTopology;
import org.echostream.anomaly.topology.TopicNames;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.InferenceTiming;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.kafka.Topics;
import org.echostream.contracts.tensor.TokenCodec;
import org.echostream.kafka.local.LocalKafka;

/**
 * Speed of the anomaly service at the model release's shapes (256 tokens x 96, float16), printed, not
 * asserted: the maths per clip, the tracker per clip, and with {@code --broker} the latency and throughput
 * of the topology on a real local broker with exactly-once. (TopologyTestDriver is not timed: it commits
 * and flushes the stores after every record, so it would measure the test harness.)
 * Run with {@code anomaly/bench/run-benchmarks.sh [--broker]}; results go in docs/benchmarks.md.
 */
public final class AnomalyBenchmark {

    static final List<Integer> GRID = List.of(4, 8, 8);
    static final int DIM = 96;
    static final int TOKENS = 256;
    static final ModelRef MODEL = new ModelRef("bench", "1", "a".repeat(64), "b".repeat(64), null);
    static final CropGeometry CROP = new CropGeometry(new PixelRegion(60, 40, 500, 380), RegionSource.ULTRASOUND_REGIONS,
            0.128, 0, 7, 640, 480);

    public static void main(String[] args) throws Exception {
        boolean broker = Arrays.asList(args).contains("--broker");
        System.out.printf("anomaly benchmark: %s, %d cores, Java %s, shapes %s x %d float16%n",
                System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), GRID, DIM);
        ModelCalibration.Calibrated calibration = calibration();
        maths(calibration);
        tracker(calibration);
        if (broker) {
            broker(calibration);
        }
    }

    static void maths(ModelCalibration.Calibrated calibration) {
        Random random = new Random(1);
        float[] observed = gaussian(random, TOKENS * DIM);
        float[] predicted = gaussian(random, TOKENS * DIM);
        var bytes = TokenCodec.encode(observed, TokenEncoding.FLOAT16);
        NormativeModel normative = calibration.normative().orElseThrow();
        double sink = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
            int n = 4000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += TokenCodec.decode(bytes, TokenEncoding.FLOAT16, TOKENS * DIM)[i % 10];
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Surprise.between(predicted, observed, TOKENS, DIM, 1e-5).clip();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += normative.distance(NormativeFeatures.POOLED_AND_MOTION.of(observed, GRID, DIM, 1e-5));
            }
            long t3 = System.nanoTime();
            if (round == 2) {
                System.out.printf("  float16 decode of one tensor        %8.1f us%n", (t1 - t0) / 1e3 / n);
                System.out.printf("  surprise (LN + L1, per token+clip)  %8.1f us%n", (t2 - t1) / 1e3 / n);
                System.out.printf("  normative features + distance       %8.1f us%n", (t3 - t2) / 1e3 / n);
            }
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    static void tracker(ModelCalibration.Calibrated calibration) {
        SeriesTracker tracker = new SeriesTracker(settings(), calibration);
        TensorBuffer tensors = new MapTensorBuffer();
        List<ClipLatents> clips = clips(40, 10, 2);
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            Map<String, byte[]> states = new HashMap<>();
            long stateBytes = 0;
            long codecNanos = 0;
            long t0 = System.nanoTime();
            for (ClipLatents clip : clips) {
                String key = clip.getRef().getSeriesInstanceUid();
                byte[] stored = states.get(key);
                long c0 = System.nanoTime();
                SeriesState before = stored == null ? null : SeriesStateCodec.decode(stored);
                long c1 = System.nanoTime();
                ClipOutcome outcome = tracker.onClip(before, clip, Instant.EPOCH, tensors);
                SeriesState state = ((ClipOutcome.Accepted) outcome).state();
                long c2 = System.nanoTime();
                byte[] encoded = SeriesStateCodec.encode(state);
                codecNanos += (c1 - c0) + (System.nanoTime() - c2);
                stateBytes += encoded.length;
                states.put(key, encoded);
            }
            long t1 = System.nanoTime();
            if (round == rounds - 1) {
                System.out.printf("  tracker per clip, state codec incl. %8.1f us   (of which codec %.1f us; series state %d bytes on average)%n",
                        (t1 - t0) / 1e3 / clips.size(), codecNanos / 1e3 / clips.size(), stateBytes / clips.size());
            }
        }
    }

    /** The topology in a real KafkaStreams on a local broker: end-to-end latency of a clip's surprise, then a burst. */
    static void broker(ModelCalibration.Calibrated calibration) throws Exception {
        Path dir = Files.createTempDirectory("anomaly-bench-broker-");
        try (LocalKafka kafka = new LocalKafka(LocalKafka.Config.defaults(dir.resolve("kafka"))).start()) {
            TopicCatalogueAdmin.ensureCatalogue(kafka.bootstrapServers(), (short) 1);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "anomaly-bench-" + UUID.randomUUID());
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
            props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), "10485760");
            AvroSerde<ClipLatents> serde = AvroSerde.of(ClipLatents.class);
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            try (KafkaStreams streams = new KafkaStreams(AnomalyTopology.build(topologySettings(), calibration, Clock.systemUTC(),
                    AnomalyMetrics.NONE), props);
                 KafkaProducer<String, byte[]> producer = producer(kafka);
                 KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
                streams.start();
                consumer.subscribe(List.of(Topics.SURPRISE.name()));
                while (streams.state() != KafkaStreams.State.RUNNING) {
                    Thread.sleep(100);
                    consumer.poll(Duration.ZERO);
                }
                // Paced: 10 clips/s over 20 series, the rate of a busy echo lab many times over.
                List<ClipLatents> paced = clips(20, 10, 21);
                List<Long> latencies = new ArrayList<>();
                for (ClipLatents clip : paced) {
                    sentAt.put(id(clip), System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.LATENTS.name(), clip.getRef().getSeriesInstanceUid(), serde.encode(clip)));
                    drain(consumer, sentAt, latencies, Duration.ofMillis(100));
                }
                while (latencies.size() < paced.size() - 20) {
                    drain(consumer, sentAt, latencies, Duration.ofMillis(200));
                }
                long[] sorted = latencies.stream().mapToLong(l -> l).sorted().toArray();
                System.out.printf("  real broker, EOS v2, 10 clips/s: surprise visible (read_committed) after p50 %.0f ms,"
                        + " p90 %.0f ms, p99 %.0f ms (%d clips)%n", sorted[sorted.length / 2] / 1e6,
                        sorted[(int) (sorted.length * 0.9)] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted.length);

                List<ClipLatents> burst = clips(100, 10, 22);
                latencies.clear();
                long t0 = System.nanoTime();
                for (ClipLatents clip : burst) {
                    sentAt.put(id(clip), System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.LATENTS.name(), clip.getRef().getSeriesInstanceUid(), serde.encode(clip)));
                }
                producer.flush();
                while (latencies.size() < burst.size() - 100) {
                    drain(consumer, sentAt, latencies, Duration.ofMillis(200));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("  real broker, EOS v2, burst of %d clips: all scored and committed in %.1f s = %.0f clips/s%n",
                        burst.size(), seconds, burst.size() / seconds);
            }
        }
    }

    private static String id(ClipLatents clip) {
        return clip.getRef().getSopInstanceUid() + "/" + clip.getRef().getClipIndex();
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, Map<String, Long> sentAt, List<Long> latencies, Duration wait) {
        AvroSerde<org.echostream.contracts.ClipSurprise> serde = AvroSerde.of(org.echostream.contracts.ClipSurprise.class);
        for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
            var surprise = serde.decode(record.value());
            Long sent = sentAt.remove(surprise.getRef().getSopInstanceUid() + "/" + surprise.getRef().getClipIndex());
            if (sent != null) {
                latencies.add(System.nanoTime() - sent);
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(LocalKafka kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(LocalKafka kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    static SeriesSettings settings() {
        return new SeriesSettings(new EvidenceRule(2, 3, 0.99), 4.0, 0.5, OptionalDouble.empty(), 0.25, Duration.ofSeconds(60), 4);
    }

    static AnomalyTopology.Settings topologySettings() {
        return new AnomalyTopology.Settings(TopicNames.catalogue(), settings(), Duration.ofSeconds(5), Duration.ofDays(1), Duration.ofSeconds(30));
    }

    /** Made-up calibration numbers of the right shapes: speed does not depend on them. */
    static ModelCalibration.Calibrated calibration() {
        ModelRelease release = new ModelRelease(MODEL.getName(), MODEL.getVersion(), "prep-1", GRID, DIM, 64, 64,
                MODEL.getEncoderSha256(), MODEL.getPredictorSha256(), "c".repeat(64));
        int features = DIM + GRID.get(1) * GRID.get(2);
        double[] ones = new double[features];
        Arrays.fill(ones, 1.0);
        Random random = new Random(3);
        double[][] components = new double[16][features];
        for (double[] row : components) {
            for (int i = 0; i < features; i++) {
                row[i] = random.nextGaussian() / Math.sqrt(features);
            }
        }
        double[] eigen = new double[16];
        Arrays.fill(eigen, 2.0);
        NormativeModel normative = new NormativeModel.LowRank(new double[features], components, eigen, 1.0,
                new ScoreScale(1.0, 1.5, 0.99), NormativeFeatures.POOLED_AND_MOTION);
        return new ModelCalibration.Calibrated(release, 1e-5, new ScoreScale(0.5, 0.7, 0.99), new ScoreScale(0.5, 0.9, 0.99),
                Optional.of(normative), Optional.empty(), List.of());
    }

    /** {@code series} series of one loop each, {@code clipsPerLoop} clips, interleaved as an embedder would emit them. */
    static List<ClipLatents> clips(int series, int clipsPerLoop, long seed) {
        Random random = new Random(seed);
        List<ClipLatents> out = new ArrayList<>();
        for (int k = 0; k < clipsPerLoop; k++) {
            for (int s = 0; s < series; s++) {
                String uid = "1.2.826.0.1.3680043.8.498." + seed + "." + s;
                double start = k * 16 / 12.0;
                out.add(ClipLatents.newBuilder()
                        .setRef(new ClipRef("1.2.3", uid, uid + ".1", k, 16 * k, 16, start, start + 15 / 12.0))
                        .setClipsInLoop(clipsPerLoop).setTokenGrid(GRID).setLatentDim(DIM).setTokenEncoding(TokenEncoding.FLOAT16)
                        .setObservedTokens(TokenCodec.encode(gaussian(random, TOKENS * DIM), TokenEncoding.FLOAT16))
                        .setPooledEmbedding(java.util.Collections.nCopies(DIM, 0f))
                        .setPredictedFirstFrame(16 * (k + 1))
                        .setPredictedTokens(TokenCodec.encode(gaussian(random, TOKENS * DIM), TokenEncoding.FLOAT16))
                        .setFps(12.0).setCrop(CROP).setModel(MODEL).setPreprocessingVersion("prep-1")
                        .setTiming(new InferenceTiming(1, 1.0, 1.0, "CPU")).setProducedAt(Instant.EPOCH)
                        .build());
            }
        }
        return out;
    }

    static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}

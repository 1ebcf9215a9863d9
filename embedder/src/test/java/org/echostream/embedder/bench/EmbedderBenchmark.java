package org.echostream.embedder.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.Clip;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.embedder.TestClips;
import org.echostream.embedder.core.BatchPolicy;
import org.echostream.embedder.core.ClipEmbedder;
import org.echostream.embedder.core.EmbedOutcome;
import org.echostream.embedder.core.EmbeddingModel;
import org.echostream.embedder.core.OrtSettings;
import org.echostream.embedder.stream.EmbedLoop;
import org.echostream.embedder.stream.EmbedderMetrics;
import org.echostream.embedder.stream.KafkaTestTopics;
import org.echostream.embedder.stream.LoopSettings;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.SharedLocalKafka;

/**
 * The embedder benchmark (not a test: prints figures). Run by {@code embedder/bench/run.sh}, which documents the
 * arguments. In one JVM, interleaved so that load from other processes hits every variant alike:
 * <ol>
 *   <li>this machine's matrix-product peak through ONNX Runtime (square MatMuls of 256, 512 and 1024, 1 and 2 threads, the best rate; measured before and after the sweep);</li>
 *   <li>per batch size: a bare ONNX Runtime loop (session.run on ready tensors, nothing else) and the embedder's
 *       core ({@link ClipEmbedder}: packing uint8 clips, both models, NaN check, pooling, float16, Avro records);</li>
 *   <li>the whole service loop through a real broker: a backlog of clips in, latents committed out, heap after GC
 *       sampled every second.</li>
 * </ol>
 */
public final class EmbedderBenchmark {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    /** Sides of the square matrices in matmul_N.onnx (written by model_flops.py). */
    private static final int[] PEAK_SIZES = {256, 512, 1024};

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        Path modelDir = Path.of(a.getOrDefault("--model", "../model/release"));
        int threads = Integer.parseInt(a.getOrDefault("--threads", "2"));
        int[] batches = Arrays.stream(a.getOrDefault("--batches", "1,2,4,8").split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(a.getOrDefault("--seconds", "5"));
        int kafkaClips = Integer.parseInt(a.getOrDefault("--kafka-clips", "400"));
        double flopsPerClip = Double.parseDouble(a.getOrDefault("--flops-per-clip", "0"));
        Path peakDir = Path.of(a.getOrDefault("--peak-dir", "target/bench"));

        ModelManifest manifest = ModelManifest.read(modelDir.resolve("manifest.json"));
        System.out.printf("model %s %s, %d threads, batches %s, %.1f s per measurement, %d cores, Java %s%n", manifest.name(),
                manifest.version(), threads, Arrays.toString(batches), seconds, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        double[] peaks = peaks(peakDir, seconds);
        double peak = threads == 1 ? peaks[0] : peaks[1];
        List<Clip> clips = clips(manifest, Arrays.stream(batches).max().orElse(1));
        System.out.println();
        System.out.println("| batch | bare ORT clips/s | bare ORT p50 / p99 ms | embedder core clips/s | core p50 / p99 ms | core overhead | model GFLOP/s | of peak |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        try (EmbeddingModel model = EmbeddingModel.open(modelDir, TestClips.pinOf(modelDir), OrtSettings.cpu(threads));
             BareOrt bare = new BareOrt(modelDir, manifest, threads, Arrays.stream(batches).max().orElse(1))) {
            for (int b : batches) {
                try (ClipEmbedder embedder = new ClipEmbedder(model, b, TokenEncoding.FLOAT16, Clock.systemUTC())) {
                    embedder.warmUp(2);
                    bare.run(b);
                    bare.run(b);
                    Timing bareTiming = time(seconds, () -> bare.run(b));
                    List<Clip> batch = clips.subList(0, b);
                    Timing coreTiming = time(seconds, () -> {
                        for (EmbedOutcome o : embedder.embed(batch)) {
                            if (!(o instanceof EmbedOutcome.Embedded)) {
                                throw new IllegalStateException("benchmark clip rejected: " + o);
                            }
                        }
                    });
                    double bareRate = b / bareTiming.meanSeconds();
                    double coreRate = b / coreTiming.meanSeconds();
                    double gflops = flopsPerClip * coreRate / 1e9;
                    System.out.printf("| %d | %.1f | %.1f / %.1f | %.1f | %.1f / %.1f | %+.1f%% | %s | %s |%n", b, bareRate, bareTiming.p50(),
                            bareTiming.p99(), coreRate, coreTiming.p50(), coreTiming.p99(), 100 * (bareRate / coreRate - 1),
                            flopsPerClip > 0 ? String.format("%.1f", gflops) : "n/a",
                            flopsPerClip > 0 ? String.format("%.0f%%", 100 * gflops / peak) : "n/a");
                }
            }
            double[] after = peaks(peakDir, seconds);
            System.out.printf("peak again after the sweep: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (2 threads)%n", after[0], after[1]);
            int serviceBatch = Arrays.stream(batches).max().orElse(1);
            if (kafkaClips > 0) {
                System.out.println();
                serviceLoop(model, manifest, serviceBatch, kafkaClips, bare, seconds);
            }
        }
    }

    /** The service loop on a backlog through a real broker, against the bare loop at the same batch size just before. */
    private static void serviceLoop(EmbeddingModel model, ModelManifest manifest, int batch, int count, BareOrt bare, double seconds)
            throws Exception {
        try (LocalKafka broker = new LocalKafka(LocalKafka.Config.defaults(SharedLocalKafka.testDataDir())).start()) {
            TopicCatalogueAdmin.ensureCatalogue(broker.bootstrapServers(), (short) 1);
            KafkaTestTopics kafka = new KafkaTestTopics(broker.bootstrapServers());
            List<String> topics = kafka.create("bench", Map.of("clips", 6, "latents", 6));
            String clipsTopic = topics.stream().filter(t -> t.endsWith(".clips")).findFirst().orElseThrow();
            String latentsTopic = topics.stream().filter(t -> t.endsWith(".latents")).findFirst().orElseThrow();
            AvroSerde<Clip> serde = AvroSerde.of(Clip.class);
            List<Clip> clips = clips(manifest, count);
            try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
                for (Clip clip : clips) {
                    producer.send(new ProducerRecord<>(clipsTopic, clip.getRef().getSeriesInstanceUid(), serde.encode(clip)));
                }
                producer.flush();
            }
            Timing bareTiming = time(seconds, () -> bare.run(batch));
            long clipBytes = serde.encode(clips.get(0)).length;

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ClipEmbedder embedder = new ClipEmbedder(model, batch, TokenEncoding.FLOAT16, Clock.systemUTC())) {
                embedder.warmUp(2);
                EmbedLoop loop = new EmbedLoop(new LoopSettings(broker.bootstrapServers(), clipsTopic, latentsTopic, "bench", "bench-0",
                        Duration.ofSeconds(60), 8 * 1024 * 1024, new BatchPolicy(batch, Duration.ofMillis(50), 4 * batch), Map.of()),
                        embedder, new DeadLetters("embedder", Clock.systemUTC()), new EmbedderMetrics(registry, batch), Clock.systemUTC());
                List<Long> heapAfterGc = new ArrayList<>();
                Thread thread = new Thread(loop, "bench-loop");
                long start = System.nanoTime();
                thread.start();
                long lastSample = 0;
                double maxBuffered = 0;
                // Committed clips from the loop's own counter (incremented after each commit): the topic's end offsets
                // would count the transaction markers too.
                while (registry.get("echostream.embedder.clips").counter().count() < count
                        && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(10)) {
                    maxBuffered = Math.max(maxBuffered, registry.get("echostream.embedder.buffered.clips").gauge().value());
                    if (System.nanoTime() - lastSample > TimeUnit.SECONDS.toNanos(1)) {
                        System.gc();
                        heapAfterGc.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
                        lastSample = System.nanoTime();
                    }
                    Thread.sleep(20);
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                loop.stop();
                thread.join(30_000);
                double transactions = registry.get("echostream.embedder.transactions").tag("outcome", "committed").counter().count();
                double clipsOut = registry.get("echostream.embedder.clips").counter().count();
                double serviceRate = clipsOut / elapsed;
                double bareRate = batch / bareTiming.meanSeconds();
                System.out.printf("service loop, batch %d, backlog of %d clips (%d bytes each) through the broker: %.0f clips in %.1f s = %.1f clips/s "
                                + "(%.0f transactions); bare ORT loop at batch %d just before: %.1f clips/s; service overhead %.1f%%%n",
                        batch, count, clipBytes, clipsOut, elapsed, serviceRate, transactions, batch, bareRate, 100 * (bareRate / serviceRate - 1));
                System.out.printf("heap used after GC, sampled each second while the backlog drained (MiB): %s; most clips buffered: %.0f (bound %d)%n",
                        heapAfterGc, maxBuffered, 4 * batch + batch - 1);
            }
        }
    }

    /** ONNX Runtime with nothing of the embedder: the models on tensors made once, outputs left in ORT's own memory. */
    static final class BareOrt implements AutoCloseable {
        private final OrtSession encoder;
        private final OrtSession predictor;
        private final Map<Integer, List<OnnxTensor>> inputs = new HashMap<>();
        private final ModelManifest manifest;
        private final Random random = new Random(1);

        BareOrt(Path dir, ModelManifest manifest, int threads, int maxBatch) throws OrtException {
            this.manifest = manifest;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                encoder = ENV.createSession(dir.resolve("encoder.onnx").toString(), options);
                predictor = ENV.createSession(dir.resolve("predictor.onnx").toString(), options);
            }
        }

        void run(int b) throws OrtException {
            List<OnnxTensor> in = inputs.computeIfAbsent(b, this::tensors);
            try (OrtSession.Result tokens = encoder.run(Map.of("clip", in.get(0)))) {
                Map<String, OnnxTensor> p = new HashMap<>();
                p.put("context_tokens", (OnnxTensor) tokens.get(0));
                p.put("context_positions", in.get(1));
                p.put("target_positions", in.get(2));
                if (in.size() > 3) {
                    p.put("condition", in.get(3));
                }
                predictor.run(p).close();
            }
        }

        private List<OnnxTensor> tensors(int b) {
            try {
                ModelManifest.ClipSpec c = manifest.clip();
                int values = b * c.frames() * c.height() * c.width();
                FloatBuffer clip = ByteBuffer.allocateDirect(values * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (int i = 0; i < values; i++) {
                    clip.put(i, random.nextInt(256) / 255f);
                }
                int n = manifest.tokens().tokensPerClip();
                long[] context = new long[b * n];
                long[] target = new long[b * n];
                for (int i = 0; i < b * n; i++) {
                    context[i] = i % n;
                    target[i] = n + i % n;
                }
                List<OnnxTensor> list = new ArrayList<>(List.of(
                        OnnxTensor.createTensor(ENV, clip, new long[] {b, 1, c.frames(), c.height(), c.width()}),
                        OnnxTensor.createTensor(ENV, LongBuffer.wrap(context), new long[] {b, n}),
                        OnnxTensor.createTensor(ENV, LongBuffer.wrap(target), new long[] {b, n})));
                int k = manifest.predictor() == null ? 0 : manifest.predictor().condition().size();
                if (k > 0) {
                    float[] condition = new float[b * k];
                    Arrays.fill(condition, 0.8f);
                    list.add(OnnxTensor.createTensor(ENV, FloatBuffer.wrap(condition), new long[] {b, k}));
                }
                return list;
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws OrtException {
            inputs.values().forEach(l -> l.forEach(OnnxTensor::close));
            encoder.close();
            predictor.close();
        }
    }

    /** The best square MatMul rate over the sizes model_flops.py wrote, for 1 and 2 threads; prints every size. */
    private static double[] peaks(Path dir, double seconds) throws Exception {
        double[] best = new double[2];
        StringBuilder line = new StringBuilder("ONNX Runtime MatMul GFLOP/s (1 thread / 2 threads):");
        for (int n : PEAK_SIZES) {
            double one = matmulPeak(dir.resolve("matmul_" + n + ".onnx"), n, 1, seconds / 2);
            double two = matmulPeak(dir.resolve("matmul_" + n + ".onnx"), n, 2, seconds / 2);
            best[0] = Math.max(best[0], one);
            best[1] = Math.max(best[1], two);
            line.append(String.format(" %d^3 %.1f / %.1f;", n, one, two));
        }
        System.out.println(line + String.format(" peak taken: %.1f / %.1f", best[0], best[1]));
        return best;
    }

    private static double matmulPeak(Path model, int n, int threads, double seconds) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = ENV.createSession(model.toString(), options)) {
                FloatBuffer a = ByteBuffer.allocateDirect(n * n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                Random random = new Random(2);
                for (int i = 0; i < n * n; i++) {
                    a.put(i, (float) random.nextGaussian());
                }
                try (OnnxTensor input = OnnxTensor.createTensor(ENV, a, new long[] {n, n})) {
                    Timing t = time(seconds, () -> session.run(Map.of("a", input)).close());
                    return 2.0 * n * n * n / t.meanSeconds() / 1e9;
                }
            }
        }
    }

    private static List<Clip> clips(ModelManifest manifest, int count) {
        ModelManifest.ClipSpec c = manifest.clip();
        List<Clip> clips = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] pixels = new byte[c.frames() * c.height() * c.width()];
            new Random(i).nextBytes(pixels);
            clips.add(TestClips.builder("1.2.826.0.9." + (i % 24), i / 24, i).setFrames(c.frames()).setHeight(c.height()).setWidth(c.width())
                    .setPixels(ByteBuffer.wrap(pixels)).setHeartRateBpm(72.0).setPreprocessingVersion(manifest.preprocessingVersion()).build());
        }
        return clips;
    }

    interface Work {
        void run() throws Exception;
    }

    /** Per-run milliseconds of {@code work} repeated for {@code seconds} (at least 5 runs). */
    record Timing(double[] millis) {
        double meanSeconds() {
            return Arrays.stream(millis).average().orElseThrow() / 1000;
        }

        double p50() {
            return percentile(50);
        }

        double p99() {
            return percentile(99);
        }

        double percentile(double q) {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.round(q / 100 * (sorted.length - 1)))];
        }
    }

    static Timing time(double seconds, Work work) throws Exception {
        List<Double> runs = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || runs.size() < 5) {
            long t0 = System.nanoTime();
            work.run();
            runs.add((System.nanoTime() - t0) / 1e6);
        }
        return new Timing(runs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Map<String, String> arguments(String[] args) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            map.put(args[i], args[i + 1]);
        }
        return map;
    }

    private EmbedderBenchmark() {
    }
}

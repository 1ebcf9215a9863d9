package org.echostream.embedder.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.RecordDecodingException;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.kafka.Topics;
import org.echostream.contracts.tensor.TokenCodec;
import org.echostream.embedder.DirectOrt;
import org.echostream.embedder.TestClips;
import org.echostream.embedder.core.BatchPolicy;
import org.echostream.embedder.core.ClipEmbedder;
import org.echostream.embedder.core.EmbeddingModel;
import org.echostream.embedder.core.OrtSettings;
import org.echostream.embedder.core.RejectReasons;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embed loop against the real broker, without Quarkus: exact output, dead letters, two instances. */
@ExtendWith(LocalKafkaExtension.class)
class EmbedLoopIT {

    private static final AvroSerde<Clip> CLIPS = AvroSerde.of(Clip.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);
    private static final Clock CLOCK = Clock.fixed(TestClips.T0, ZoneOffset.UTC);
    private static final int VALUES = 8 * 8;

    private static KafkaTestTopics kafka;
    private static String bootstrap;

    @BeforeAll
    static void catalogue(LocalKafka broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        kafka = new KafkaTestTopics(bootstrap);
        TopicCatalogueAdmin.ensureCatalogue(bootstrap, (short) 1); // the dead-letter topic is the catalogue's
        kafka.awaitLeaders(List.of(Topics.DLQ_EMBEDDER.name()));
    }

    @Test
    void n_clips_in_give_exactly_n_latents_each_matching_a_direct_onnx_runtime_call_and_poison_goes_to_dead_letters()
            throws Exception {
        List<String> topics = kafka.create("loop", Map.of("clips", 6, "latents", 6));
        String clipsTopic = topics.stream().filter(t -> t.endsWith(".clips")).findFirst().orElseThrow();
        String latentsTopic = topics.stream().filter(t -> t.endsWith(".latents")).findFirst().orElseThrow();
        Map<String, Clip> sent = new LinkedHashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Clip clip = TestClips.clip("1.2.826.0.1." + (i % 5), i / 5, 1000 + i);
            sent.put(key(clip), clip);
            records.add(new ProducerRecord<>(clipsTopic, clip.getRef().getSeriesInstanceUid(), CLIPS.encode(clip)));
            if (i == 13) { // a poison record in the middle of series 1.2.826.0.1.3
                records.add(new ProducerRecord<>(clipsTopic, "1.2.826.0.1.3", "not an avro clip".getBytes(StandardCharsets.UTF_8)));
            }
            if (i == 27) { // a clip whose output is NaN (uniform pixels)
                Clip uniform = TestClips.uniform("1.2.826.0.1.2", 99);
                records.add(new ProducerRecord<>(clipsTopic, "1.2.826.0.1.2", CLIPS.encode(uniform)));
            }
        }
        kafka.send(clipsTopic, records);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddingModel model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), OrtSettings.cpu(1));
             ClipEmbedder embedder = new ClipEmbedder(model, 4, TokenEncoding.FLOAT16, CLOCK);
             RunningLoop loop = RunningLoop.start(settings(clipsTopic, latentsTopic, "it-single", "group-" + clipsTopic), embedder, registry)) {
            List<ConsumerRecord<String, byte[]>> out = kafka.readAll(latentsTopic, "read_committed", 40, Duration.ofSeconds(60), Duration.ofSeconds(2));

            assertThat(out).hasSize(40);
            Map<String, ClipLatents> byClip = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : out) {
                ClipLatents latents = LATENTS.decode(r.value());
                assertThat(r.key()).isEqualTo(latents.getRef().getSeriesInstanceUid());
                assertThat(byClip.put(key(latents), latents)).as("duplicate %s", key(latents)).isNull();
            }
            assertThat(byClip.keySet()).isEqualTo(sent.keySet());
            try (DirectOrt direct = new DirectOrt(TestClips.TINY_MODEL, new long[] {1, 1, TestClips.FRAMES, TestClips.SIZE, TestClips.SIZE})) {
                for (Clip clip : sent.values()) {
                    DirectOrt.Output expected = direct.run(TestClips.unitPixels(clip), (float) (60.0 / clip.getHeartRateBpm()));
                    ClipLatents latents = byClip.get(key(clip));
                    assertHalfPrecisionOf(TokenCodec.decode(latents.getObservedTokens(), TokenEncoding.FLOAT16, VALUES), expected.tokens());
                    assertHalfPrecisionOf(TokenCodec.decode(latents.getPredictedTokens(), TokenEncoding.FLOAT16, VALUES), expected.predicted());
                }
            }
            List<DeadLetter> letters = kafka.readAll(Topics.DLQ_EMBEDDER.name(), "read_committed", 0, Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .stream().map(r -> LETTERS.decode(r.value())).filter(l -> clipsTopic.equals(l.getSourceTopic())).toList();
            assertThat(letters).extracting(DeadLetter::getReasonCode)
                    .containsExactlyInAnyOrder(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED, RejectReasons.NON_FINITE_OUTPUT);
            assertThat(letters).allSatisfy(l -> {
                assertThat(l.getService()).isEqualTo("embedder");
                assertThat(l.getPayloadSha256()).hasSize(64);
                assertThat(l.getSourceOffset()).isNotNull();
            });
            assertThat(registry.get("echostream.embedder.clips").counter().count()).isEqualTo(40.0);
            assertThat(registry.get("echostream.embedder.rejected").tag("reason", RejectReasons.NON_FINITE_OUTPUT).counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void two_instances_share_the_partitions_and_the_output_stays_exact() throws Exception {
        List<String> topics = kafka.create("pair", Map.of("clips", 6, "latents", 6));
        String clipsTopic = topics.stream().filter(t -> t.endsWith(".clips")).findFirst().orElseThrow();
        String latentsTopic = topics.stream().filter(t -> t.endsWith(".latents")).findFirst().orElseThrow();
        String group = "group-" + clipsTopic;
        Set<String> expected = new HashSet<>();
        List<ProducerRecord<String, byte[]>> first = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> second = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            Clip clip = TestClips.clip("1.2.826.0.2." + (i % 12), i / 12, 5000 + i);
            expected.add(key(clip));
            (i < 120 ? first : second).add(new ProducerRecord<>(clipsTopic, clip.getRef().getSeriesInstanceUid(), CLIPS.encode(clip)));
        }
        SimpleMeterRegistry registryA = new SimpleMeterRegistry();
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        try (EmbeddingModel model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), OrtSettings.cpu(1));
             ClipEmbedder embedderA = new ClipEmbedder(model, 4, TokenEncoding.FLOAT16, CLOCK);
             ClipEmbedder embedderB = new ClipEmbedder(model, 4, TokenEncoding.FLOAT16, CLOCK)) {
            kafka.send(clipsTopic, first);
            try (RunningLoop a = RunningLoop.start(settings(clipsTopic, latentsTopic, "it-pair-a", group), embedderA, registryA)) {
                kafka.readAll(latentsTopic, "read_committed", 20, Duration.ofSeconds(60), Duration.ZERO);
                // The second instance joins mid-stream: the group rebalances while clips flow.
                try (RunningLoop b = RunningLoop.start(settings(clipsTopic, latentsTopic, "it-pair-b", group), embedderB, registryB)) {
                    // Send the second half only once the rebalance gave B partitions: otherwise a fast A may embed
                    // everything before B joins, and the test would not show two instances sharing the work.
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (b.loop().status().assignedPartitions() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    assertThat(b.loop().status().assignedPartitions()).as("partitions assigned to B within 60 s").isGreaterThan(0);
                    kafka.send(clipsTopic, second);
                    List<ConsumerRecord<String, byte[]>> out = kafka.readAll(latentsTopic, "read_committed", 240,
                            Duration.ofSeconds(90), Duration.ofSeconds(3));

                    List<String> keys = out.stream().map(r -> key(LATENTS.decode(r.value()))).toList();
                    assertThat(keys).hasSize(240).doesNotHaveDuplicates();
                    assertThat(Set.copyOf(keys)).isEqualTo(expected);
                    assertThat(a.loop().status().state()).isEqualTo(LoopStatus.State.RUNNING);
                    assertThat(b.loop().status().state()).isEqualTo(LoopStatus.State.RUNNING);
                }
            }
        }
        double byA = registryA.get("echostream.embedder.clips").counter().count();
        double byB = registryB.get("echostream.embedder.clips").counter().count();
        System.out.printf("two instances: A embedded %.0f clips, B %.0f%n", byA, byB);
        assertThat(byA + byB).isEqualTo(240.0);
        assertThat(byB).as("the second instance took over partitions").isGreaterThan(0);
    }

    /**
     * A slow broker, as the client sees it: the first producer's first commit reaches the broker but its answer
     * does not (the commit happened, the client times out); the second producer's first commit times out before it
     * is sent (the transaction stays open until a new producer aborts it). Neither may end the loop, lose a clip or
     * embed one twice.
     */
    @Test
    void commits_that_time_out_replace_the_producer_and_every_clip_is_still_committed_exactly_once() throws Exception {
        List<String> topics = kafka.create("timeout", Map.of("clips", 2, "latents", 2));
        String clipsTopic = topics.stream().filter(t -> t.endsWith(".clips")).findFirst().orElseThrow();
        String latentsTopic = topics.stream().filter(t -> t.endsWith(".latents")).findFirst().orElseThrow();
        Set<String> expected = new HashSet<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Clip clip = TestClips.clip("1.2.826.0.3." + (i % 3), i / 3, 7000 + i);
            expected.add(key(clip));
            records.add(new ProducerRecord<>(clipsTopic, clip.getRef().getSeriesInstanceUid(), CLIPS.encode(clip)));
        }
        kafka.send(clipsTopic, records);
        AtomicInteger made = new AtomicInteger();
        Function<Map<String, Object>, Producer<String, byte[]>> slowBroker = properties -> {
            int life = made.incrementAndGet();
            return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer()) {
                private boolean failed;

                @Override
                public void commitTransaction() {
                    if (!failed && life == 1) {
                        failed = true;
                        super.commitTransaction();
                        throw new TimeoutException("commit answer lost (test)");
                    }
                    if (!failed && life == 2) {
                        failed = true;
                        throw new TimeoutException("commit timed out before it was sent (test)");
                    }
                    super.commitTransaction();
                }
            };
        };

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddingModel model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), OrtSettings.cpu(1));
             ClipEmbedder embedder = new ClipEmbedder(model, 4, TokenEncoding.FLOAT16, CLOCK);
             RunningLoop loop = RunningLoop.start(settings(clipsTopic, latentsTopic, "it-timeout", "group-" + clipsTopic), embedder,
                     registry, slowBroker)) {
            List<ConsumerRecord<String, byte[]>> out = kafka.readAll(latentsTopic, "read_committed", 24, Duration.ofSeconds(90),
                    Duration.ofSeconds(3));

            List<String> keys = out.stream().map(r -> key(LATENTS.decode(r.value()))).toList();
            assertThat(keys).hasSize(24).doesNotHaveDuplicates();
            assertThat(Set.copyOf(keys)).isEqualTo(expected);
            assertThat(loop.loop().status().state()).isEqualTo(LoopStatus.State.RUNNING);
            assertThat(made.get()).as("producers made: the first, one after each lost commit").isEqualTo(3);
            assertThat(registry.get("echostream.embedder.producer.restarts").counter().count()).isEqualTo(2.0);
        }
    }

    static LoopSettings settings(String clips, String latents, String transactionalId, String group) {
        return new LoopSettings(bootstrap, clips, latents, group, transactionalId + "-" + clips, Duration.ofSeconds(30),
                8 * 1024 * 1024, new BatchPolicy(4, Duration.ofMillis(20), 8), Map.of());
    }

    static String key(Clip clip) {
        return clip.getRef().getSopInstanceUid() + "#" + clip.getRef().getClipIndex();
    }

    static String key(ClipLatents latents) {
        return latents.getRef().getSopInstanceUid() + "#" + latents.getRef().getClipIndex();
    }

    private static void assertHalfPrecisionOf(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("value %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(Math.abs(expected[i]) / 1024f + 1e-5f);
        }
    }

    /** An embed loop on its own thread for the length of a try block. */
    record RunningLoop(EmbedLoop loop, Thread thread) implements AutoCloseable {
        static RunningLoop start(LoopSettings settings, ClipEmbedder embedder, SimpleMeterRegistry registry) {
            return start(settings, embedder, registry,
                    properties -> new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer()));
        }

        static RunningLoop start(LoopSettings settings, ClipEmbedder embedder, SimpleMeterRegistry registry,
                                 Function<Map<String, Object>, Producer<String, byte[]>> producers) {
            // The loop's clock must run: a batch that is not full becomes due as time passes.
            EmbedLoop loop = new EmbedLoop(settings, embedder, new DeadLetters("embedder", Clock.systemUTC()),
                    new EmbedderMetrics(registry, settings.policy().maxBatchSize()), Clock.systemUTC(), producers);
            Thread thread = new Thread(loop, "embed-loop-" + settings.transactionalId());
            thread.start();
            return new RunningLoop(loop, thread);
        }

        @Override
        public void close() {
            loop.stop();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(thread.isAlive()).as("loop stopped").isFalse();
        }
    }
}

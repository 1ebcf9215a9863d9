package org.echostream.embedder.core;

import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.InferenceTiming;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.contracts.tensor.TokenCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of clips into latents: admission checks, one encoder run and one predictor run for the
 * whole batch, then per clip a finiteness check, the pooled embedding and the token encoding.
 * One clip's problem never costs the others: a rejected clip is left out of the batch, and when ONNX
 * Runtime fails on a batch every clip is retried alone so that only the culprit is rejected.
 *
 * <p>Not thread-safe: one instance per inference thread (its buffers are reused across batches).
 */
public final class ClipEmbedder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClipEmbedder.class);
    private static final float[] UINT8_TO_UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UINT8_TO_UNIT[v] = v / 255f; // the contract's input is uint8 / 255 in float32
        }
    }

    private final EmbeddingModel model;
    private final ClipAdmission admission;
    private final InferenceBuffers buffers;
    private final TokenEncoding encoding;
    private final Clock clock;
    private final byte[] pixelScratch;
    private final float[] conditionScratch;
    private final int horizonFrames;

    public ClipEmbedder(EmbeddingModel model, int maxBatchSize, TokenEncoding encoding, Clock clock) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max batch size must be >= 1, got " + maxBatchSize);
        }
        ModelManifest.ClipSpec spec = model.manifest().clip();
        this.model = model;
        this.admission = new ClipAdmission(model.manifest(), model.condition());
        this.buffers = new InferenceBuffers(model.environment(), maxBatchSize,
                new long[] {spec.channels(), spec.frames(), spec.height(), spec.width()},
                model.tokensPerClip(), model.latentDim(), model.condition().size());
        this.encoding = encoding;
        this.clock = clock;
        this.pixelScratch = new byte[buffers.clipValues];
        this.conditionScratch = new float[Math.max(1, model.condition().size())];
        this.horizonFrames = spec.horizonFrames();
    }

    public int maxBatchSize() {
        return buffers.maxBatch;
    }

    public EmbeddingModel model() {
        return model;
    }

    /** One outcome per clip, in the clips' order. Any number of clips; they run in batches of at most the max. */
    public List<EmbedOutcome> embed(List<Clip> clips) {
        EmbedOutcome[] outcomes = new EmbedOutcome[clips.size()];
        List<Integer> admitted = new ArrayList<>(clips.size());
        for (int i = 0; i < clips.size(); i++) {
            EmbedOutcome.Rejected rejected = admission.check(clips.get(i));
            if (rejected != null) {
                outcomes[i] = rejected;
            } else {
                admitted.add(i);
            }
        }
        for (int from = 0; from < admitted.size(); from += buffers.maxBatch) {
            List<Integer> chunk = admitted.subList(from, Math.min(admitted.size(), from + buffers.maxBatch));
            runIsolatingFailures(clips, chunk, outcomes);
        }
        return Arrays.asList(outcomes);
    }

    /**
     * Runs the models on a batch of synthetic clips, once for a single clip and {@code runs} times for a
     * full batch, so that the first real batch does not pay for ONNX Runtime's lazy initialisation.
     */
    public void warmUp(int runs) {
        try {
            for (int i = 0; i < buffers.clipValues * buffers.maxBatch; i++) {
                buffers.clip.put(i, UINT8_TO_UNIT[(i * 37) % 251]); // varied pixels: a uniform clip may be degenerate
            }
            for (int i = 0; i < buffers.maxBatch * buffers.conditionSize; i++) {
                buffers.condition.put(i, 1.0f);
            }
            runModels(1);
            for (int r = 0; r < runs; r++) {
                runModels(buffers.maxBatch);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("model " + model.modelRef().getName() + " failed its warm-up run: " + e.getMessage(), e);
        }
    }

    private void runIsolatingFailures(List<Clip> clips, List<Integer> chunk, EmbedOutcome[] outcomes) {
        try {
            runBatch(clips, chunk, outcomes);
        } catch (OrtException | RuntimeException e) {
            if (chunk.size() == 1) {
                Clip clip = clips.get(chunk.get(0));
                LOG.warn("inference failed on {}: {}", ClipNames.of(clip), e.getMessage());
                outcomes[chunk.get(0)] = new EmbedOutcome.Rejected(RejectReasons.INFERENCE_FAILED,
                        ClipNames.of(clip) + ": ONNX Runtime failed on this clip alone: " + e.getMessage());
                return;
            }
            LOG.warn("inference failed on a batch of {} clips ({}); retrying each clip alone", chunk.size(), e.getMessage());
            for (Integer index : chunk) {
                runIsolatingFailures(clips, List.of(index), outcomes);
            }
        }
    }

    private void runBatch(List<Clip> clips, List<Integer> chunk, EmbedOutcome[] outcomes) throws OrtException {
        int batch = chunk.size();
        for (int b = 0; b < batch; b++) {
            pack(clips.get(chunk.get(b)), b);
        }
        double[] millis = runModels(batch);
        InferenceTiming timing = new InferenceTiming(batch, millis[0], millis[1], model.provider().name());
        for (int b = 0; b < batch; b++) {
            int index = chunk.get(b);
            outcomes[index] = result(clips.get(index), b, timing);
        }
    }

    private void pack(Clip clip, int slot) {
        ByteBuffer pixels = clip.getPixels();
        pixels.duplicate().get(pixelScratch); // admission checked the length
        int base = slot * buffers.clipValues;
        for (int i = 0; i < pixelScratch.length; i++) {
            buffers.clip.put(base + i, UINT8_TO_UNIT[pixelScratch[i] & 0xff]);
        }
        if (buffers.conditionSize > 0) {
            model.condition().fill(clip, conditionScratch, 0);
            for (int k = 0; k < buffers.conditionSize; k++) {
                buffers.condition.put(slot * buffers.conditionSize + k, conditionScratch[k]);
            }
        }
    }

    /** @return encoder and predictor wall milliseconds for the batch */
    private double[] runModels(int batch) throws OrtException {
        InferenceBuffers.TensorSet set = buffers.forBatch(batch);
        long start = System.nanoTime();
        // Outputs are pinned: the tokens land in buffers.tokens, the prediction in buffers.predicted; the results
        // hold nothing else to read and close without freeing the pinned tensors.
        model.encoder().run(set.encoderInputs(), set.encoderOutputs()).close();
        long encoded = System.nanoTime();
        model.predictor().run(set.predictorInputs(), set.predictorOutputs()).close();
        long predicted = System.nanoTime();
        return new double[] {(encoded - start) / 1e6, (predicted - encoded) / 1e6};
    }

    private EmbedOutcome result(Clip clip, int slot, InferenceTiming timing) {
        int offset = slot * buffers.tokenValues;
        String nonFinite = firstNonFinite(buffers.tokens, offset, "observed tokens");
        if (nonFinite == null) {
            nonFinite = firstNonFinite(buffers.predicted, offset, "predicted tokens");
        }
        if (nonFinite != null) {
            return new EmbedOutcome.Rejected(RejectReasons.NON_FINITE_OUTPUT, ClipNames.of(clip) + ": model "
                    + model.modelRef().getName() + " " + model.modelRef().getVersion() + " produced " + nonFinite
                    + "; not published");
        }
        float[] pooled = PooledEmbedding.of(buffers.tokens, offset, model.tokensPerClip(), model.latentDim());
        List<Float> pooledList = new ArrayList<>(pooled.length);
        for (float v : pooled) {
            pooledList.add(v);
        }
        return new EmbedOutcome.Embedded(ClipLatents.newBuilder()
                .setRef(clip.getRef())
                .setClipsInLoop(clip.getClipsInLoop())
                .setTokenGrid(model.tokenGrid())
                .setLatentDim(model.latentDim())
                .setTokenEncoding(encoding)
                .setObservedTokens(TokenCodec.encode(buffers.tokens.duplicate().position(offset), buffers.tokenValues, encoding))
                .setPooledEmbedding(pooledList)
                .setPredictedFirstFrame(clip.getRef().getFirstFrame() + horizonFrames)
                .setPredictedTokens(TokenCodec.encode(buffers.predicted.duplicate().position(offset), buffers.tokenValues, encoding))
                .setFps(clip.getFps())
                .setHeartRateBpm(clip.getHeartRateBpm())
                .setCrop(clip.getCrop())
                .setModel(model.modelRef())
                .setPreprocessingVersion(model.manifest().preprocessingVersion())
                .setTiming(timing)
                .setProducedAt(clock.instant())
                .build());
    }

    private String firstNonFinite(FloatBuffer values, int offset, String what) {
        int nan = 0;
        int infinite = 0;
        for (int i = offset; i < offset + buffers.tokenValues; i++) {
            float v = values.get(i);
            if (Float.isNaN(v)) {
                nan++;
            } else if (Float.isInfinite(v)) {
                infinite++;
            }
        }
        return nan + infinite == 0 ? null : nan + " NaN and " + infinite + " infinite values in its " + what;
    }

    @Override
    public void close() {
        buffers.close();
    }
}

package org.echostream.embedder.core;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct buffers sized for the largest batch, allocated once, and ONNX Runtime tensors that are views of
 * their first b clips, made once per batch size b. ONNX Runtime reads inputs from and writes the pinned
 * outputs straight into these buffers, so a batch allocates no tensor memory: packing a batch means
 * writing pixels into {@link #clip}, and reading a result means reading {@link #tokens}/{@link #predicted}.
 */
final class InferenceBuffers implements AutoCloseable {

    final int maxBatch;
    final int clipValues;
    final int tokenValues;
    final int conditionSize;
    final FloatBuffer clip;
    final FloatBuffer tokens;
    final FloatBuffer predicted;
    final FloatBuffer condition;
    private final LongBuffer contextPositions;
    private final LongBuffer targetPositions;
    private final long[] clipShape;
    private final int tokensPerClip;
    private final int dim;
    private final OrtEnvironment environment;
    private final TensorSet[] sets;

    /** The tensors of one batch size and the name maps handed to {@code OrtSession.run}. */
    record TensorSet(List<OnnxTensor> tensors, Map<String, OnnxTensor> encoderInputs, Map<String, OnnxTensor> encoderOutputs,
                     Map<String, OnnxTensor> predictorInputs, Map<String, OnnxTensor> predictorOutputs) {
    }

    InferenceBuffers(OrtEnvironment environment, int maxBatch, long[] clipShapeWithoutBatch, int tokensPerClip, int dim, int conditionSize) {
        this.environment = environment;
        this.maxBatch = maxBatch;
        this.clipShape = clipShapeWithoutBatch.clone();
        this.tokensPerClip = tokensPerClip;
        this.dim = dim;
        this.conditionSize = conditionSize;
        long values = 1;
        for (long d : clipShapeWithoutBatch) {
            values *= d;
        }
        this.clipValues = Math.toIntExact(values);
        this.tokenValues = tokensPerClip * dim;
        this.clip = floats(maxBatch * clipValues);
        this.tokens = floats(maxBatch * tokenValues);
        this.predicted = floats(maxBatch * tokenValues);
        this.condition = floats(Math.max(1, maxBatch * conditionSize));
        // Context: the clip's own tokens at time slots 0..Tg-1 (flat 0..N-1); target: the next clip at
        // slots Tg..2Tg-1 (flat N..2N-1). The same for every clip, so written once.
        this.contextPositions = longs(maxBatch * tokensPerClip);
        this.targetPositions = longs(maxBatch * tokensPerClip);
        for (int b = 0; b < maxBatch; b++) {
            for (int n = 0; n < tokensPerClip; n++) {
                contextPositions.put(b * tokensPerClip + n, n);
                targetPositions.put(b * tokensPerClip + n, tokensPerClip + n);
            }
        }
        this.sets = new TensorSet[maxBatch + 1];
    }

    TensorSet forBatch(int batch) throws OrtException {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch of " + batch + " clips, buffers hold 1.." + maxBatch);
        }
        if (sets[batch] == null) {
            sets[batch] = create(batch);
        }
        return sets[batch];
    }

    private TensorSet create(int b) throws OrtException {
        List<OnnxTensor> all = new ArrayList<>();
        try {
            long[] shape = new long[clipShape.length + 1];
            shape[0] = b;
            System.arraycopy(clipShape, 0, shape, 1, clipShape.length);
            OnnxTensor clipTensor = track(all, OnnxTensor.createTensor(environment, clip.slice(0, b * clipValues), shape));
            OnnxTensor tokenTensor = track(all, OnnxTensor.createTensor(environment, tokens.slice(0, b * tokenValues), new long[] {b, tokensPerClip, dim}));
            OnnxTensor predictedTensor = track(all, OnnxTensor.createTensor(environment, predicted.slice(0, b * tokenValues), new long[] {b, tokensPerClip, dim}));
            OnnxTensor context = track(all, OnnxTensor.createTensor(environment, contextPositions.slice(0, b * tokensPerClip), new long[] {b, tokensPerClip}));
            OnnxTensor target = track(all, OnnxTensor.createTensor(environment, targetPositions.slice(0, b * tokensPerClip), new long[] {b, tokensPerClip}));
            Map<String, OnnxTensor> predictorInputs = new HashMap<>();
            predictorInputs.put(EmbeddingModel.CONTEXT_TOKENS, tokenTensor);
            predictorInputs.put(EmbeddingModel.CONTEXT_POSITIONS, context);
            predictorInputs.put(EmbeddingModel.TARGET_POSITIONS, target);
            if (conditionSize > 0) {
                predictorInputs.put(EmbeddingModel.CONDITION,
                        track(all, OnnxTensor.createTensor(environment, condition.slice(0, b * conditionSize), new long[] {b, conditionSize})));
            }
            return new TensorSet(List.copyOf(all), Map.of(EmbeddingModel.CLIP, clipTensor), Map.of(EmbeddingModel.TOKENS, tokenTensor),
                    Map.copyOf(predictorInputs), Map.of(EmbeddingModel.PREDICTED_TOKENS, predictedTensor));
        } catch (OrtException | RuntimeException e) {
            all.forEach(OnnxTensor::close);
            throw e;
        }
    }

    private static OnnxTensor track(List<OnnxTensor> all, OnnxTensor tensor) {
        all.add(tensor);
        return tensor;
    }

    private static FloatBuffer floats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer longs(int count) {
        return ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    @Override
    public void close() {
        for (TensorSet set : sets) {
            if (set != null) {
                set.tensors().forEach(OnnxTensor::close);
            }
        }
    }
}

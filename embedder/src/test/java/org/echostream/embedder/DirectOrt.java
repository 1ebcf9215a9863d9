package org.echostream.embedder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The reference the embedder is checked against: ONNX Runtime called directly, one clip at a time, with
 * plain heap buffers and none of the embedder's code (no shared buffers, batching or pinned outputs).
 */
public final class DirectOrt implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession encoder;
    private final OrtSession predictor;
    private final long[] clipShape;

    /** Tokens and predicted next-clip tokens of one clip, [tokens x dim] row-major. */
    public record Output(float[] tokens, float[] predicted) {
    }

    public DirectOrt(Path modelDir, long[] clipShape) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            this.encoder = env.createSession(modelDir.resolve("encoder.onnx").toString(), options);
            this.predictor = env.createSession(modelDir.resolve("predictor.onnx").toString(), options);
        }
        this.clipShape = clipShape;
    }

    public Output run(float[] unitPixels, float rrSeconds) throws OrtException {
        try (OnnxTensor clip = OnnxTensor.createTensor(env, FloatBuffer.wrap(unitPixels), clipShape);
             OrtSession.Result encoded = encoder.run(Map.of("clip", clip))) {
            OnnxTensor tokens = (OnnxTensor) encoded.get(0);
            long[] shape = tokens.getInfo().getShape(); // [1, N, D]
            int n = (int) shape[1];
            long[] context = new long[n];
            long[] target = new long[n];
            for (int i = 0; i < n; i++) {
                context[i] = i;
                target[i] = n + i;
            }
            try (OnnxTensor contextPositions = OnnxTensor.createTensor(env, LongBuffer.wrap(context), new long[] {1, n});
                 OnnxTensor targetPositions = OnnxTensor.createTensor(env, LongBuffer.wrap(target), new long[] {1, n});
                 OnnxTensor condition = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {rrSeconds}), new long[] {1, 1});
                 OrtSession.Result predicted = predictor.run(Map.of("context_tokens", tokens, "context_positions", contextPositions,
                         "target_positions", targetPositions, "condition", condition))) {
                return new Output(floats(tokens), floats((OnnxTensor) predicted.get(0)));
            }
        }
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        encoder.close();
        predictor.close();
    }
}

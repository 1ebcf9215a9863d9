// Dev check: runs ONNX Runtime (Java) on model/release/golden and prints max |ORT - PyTorch|.
// The Java embedder has its own contract test; this one lets the model owner check a release without it.
//   make -C model ort-check      (needs com.microsoft.onnxruntime:onnxruntime in ~/.m2)
import ai.onnxruntime.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

public class OrtParity {
    static FloatBuffer f32(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        return b.asFloatBuffer();
    }
    static LongBuffer i64(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        return b.asLongBuffer();
    }
    static float maxDiff(FloatBuffer a, FloatBuffer b) {
        float m = 0f;
        a.rewind(); b.rewind();
        if (a.remaining() != b.remaining()) throw new IllegalStateException("size " + a.remaining() + " vs " + b.remaining());
        while (a.hasRemaining()) m = Math.max(m, Math.abs(a.get() - b.get()));
        return m;
    }
    static FloatBuffer copy(FloatBuffer src) {
        src.rewind();
        FloatBuffer d = ByteBuffer.allocateDirect(src.remaining() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        d.put(src); d.rewind(); return d;
    }
    /** Shape of one golden file, read from golden.json ("name": {"shape": [..] ...}). */
    static long[] shape(Path g, String name) throws Exception {
        String js = Files.readString(g.resolve("golden.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(name)
                + "\":\\s*\\{\\s*\"shape\":\\s*\\[([0-9,\\s]*)\\]").matcher(js);
        if (!m.find()) throw new IllegalStateException("golden.json has no shape for " + name);
        return Arrays.stream(m.group(1).split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }
    public static void main(String[] args) throws Exception {
        Path rel = Paths.get(args.length > 0 ? args[0] : "model/release");
        Path g = rel.resolve("golden");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(2);
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
        int B = 2;
        try (OrtSession enc = env.createSession(rel.resolve("encoder.onnx").toString(), so);
             OrtSession pred = env.createSession(rel.resolve("predictor.onnx").toString(), so)) {
            long[] clipShape = shape(g, "clip.f32");
            long clipN = Files.size(g.resolve("clip.f32")) / 4;
            FloatBuffer tokensRef = f32(g.resolve("tokens.f32"));
            float[][] res = new float[1][];
            try (OnnxTensor clip = OnnxTensor.createTensor(env, copy(f32(g.resolve("clip.f32"))), clipShape);
                 OrtSession.Result r = enc.run(Map.of("clip", clip))) {
                OnnxTensor t = (OnnxTensor) r.get(0);
                long[] shp = t.getInfo().getShape();
                System.out.println("encoder tokens shape " + Arrays.toString(shp) + " max|ORT-torch| = " + maxDiff(t.getFloatBuffer(), tokensRef));
            }
            long n = tokensRef.capacity() / B;
            long[] tokShape = null;
            LongBuffer cpos = i64(g.resolve("context_positions.i64")), tpos = i64(g.resolve("target_positions.i64"));
            long nc = cpos.capacity() / B, nt = tpos.capacity() / B, d = n / nc;
            boolean hasCond = Files.exists(g.resolve("condition.f32"));
            FloatBuffer cond = hasCond ? f32(g.resolve("condition.f32")) : FloatBuffer.allocate(0);
            long k = cond.capacity() / B;
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("context_tokens", OnnxTensor.createTensor(env, copy(tokensRef), new long[]{B, nc, d}));
            in.put("context_positions", OnnxTensor.createTensor(env, cpos, new long[]{B, nc}));
            in.put("target_positions", OnnxTensor.createTensor(env, tpos, new long[]{B, nt}));
            if (k > 0) in.put("condition", OnnxTensor.createTensor(env, copy(cond), new long[]{B, k}));
            long t0 = System.nanoTime();
            try (OrtSession.Result r = pred.run(in)) {
                OnnxTensor t = (OnnxTensor) r.get(0);
                System.out.println("predictor predicted_tokens shape " + Arrays.toString(t.getInfo().getShape())
                        + " max|ORT-torch| = " + maxDiff(t.getFloatBuffer(), f32(g.resolve("predicted.f32"))));
            }
            for (OnnxTensor t : in.values()) t.close();
            // timing: encoder batch 1
            FloatBuffer one = copy(f32(g.resolve("clip.f32")));
            one.limit((int) (clipN / B));
            FloatBuffer one2 = ByteBuffer.allocateDirect((int) (clipN / B) * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            one2.put(one); one2.rewind();
            long[] s1 = clipShape.clone(); s1[0] = 1;
            try (OnnxTensor c1 = OnnxTensor.createTensor(env, one2, s1)) {
                for (int i = 0; i < 3; i++) enc.run(Map.of("clip", c1)).close();
                long a = System.nanoTime();
                for (int i = 0; i < 10; i++) enc.run(Map.of("clip", c1)).close();
                System.out.printf("encoder batch-1 latency %.1f ms (2 threads)%n", (System.nanoTime() - a) / 1e7);
            }
        }
    }
}

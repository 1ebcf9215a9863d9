package org.echostream.embedder.core;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.model.InvalidModelException;
import org.echostream.contracts.model.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified model release loaded into ONNX Runtime: the manifest, the encoder and predictor sessions,
 * and the execution provider they actually run on.
 *
 * <p>Safety: every file the manifest lists is checked against its sha256 first, names that leave the model
 * directory are refused, and the ONNX bytes handed to ONNX Runtime are the very bytes whose sha256 was
 * checked (read once, hashed, then loaded), so a file swapped between the check and the load is caught too.
 * The sessions' inputs and outputs are checked against the ONNX contract and the manifest.
 */
public final class EmbeddingModel implements AutoCloseable {

    public static final String MANIFEST = "manifest.json";
    public static final String ENCODER_FILE = "encoder.onnx";
    public static final String PREDICTOR_FILE = "predictor.onnx";

    // Input and output names of docs/onnx-contract.md.
    static final String CLIP = "clip";
    static final String TOKENS = "tokens";
    static final String CONTEXT_TOKENS = "context_tokens";
    static final String CONTEXT_POSITIONS = "context_positions";
    static final String TARGET_POSITIONS = "target_positions";
    static final String CONDITION = "condition";
    static final String PREDICTED_TOKENS = "predicted_tokens";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModel.class);

    private final ModelManifest manifest;
    private final ModelRef modelRef;
    private final OrtEnvironment environment;
    private final OrtSession encoder;
    private final OrtSession predictor;
    private final ExecutionProvider provider;
    private final ConditionValues condition;

    private EmbeddingModel(ModelManifest manifest, ModelRef modelRef, OrtEnvironment environment, OrtSession encoder,
                           OrtSession predictor, ExecutionProvider provider, ConditionValues condition) {
        this.manifest = manifest;
        this.modelRef = modelRef;
        this.environment = environment;
        this.encoder = encoder;
        this.predictor = predictor;
        this.provider = provider;
        this.condition = condition;
    }

    /**
     * @param pinnedManifestSha256 the sha256 the configuration pins for manifest.json
     * @throws InvalidModelException naming the file and the fact when the release is missing, not the pinned one,
     *                               altered, outside the directory, or does not match the ONNX contract
     */
    public static EmbeddingModel open(Path modelDir, String pinnedManifestSha256, OrtSettings settings) {
        Path dir = modelDir.toAbsolutePath().normalize();
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new InvalidModelException("model directory " + dir + " has no " + MANIFEST
                    + "; point echostream.model.dir at a model release (default model/release, relative to the working directory)");
        }
        ModelManifest manifest = ModelManifest.readPinned(manifestFile, pinnedManifestSha256);
        ConditionValues condition = ConditionValues.of(manifest);
        byte[] encoderBytes = readVerified(manifest, dir, ENCODER_FILE);
        byte[] predictorBytes = readVerified(manifest, dir, PREDICTOR_FILE);
        manifest.verify(dir); // the remaining files (calibration, ...) are part of the release too

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        ExecutionProvider provider = settings.provider();
        OrtSession encoder = null;
        OrtSession predictor = null;
        try {
            OrtSession.SessionOptions options = sessionOptions(settings, provider);
            if (provider == ExecutionProvider.CUDA && options == null) {
                provider = ExecutionProvider.CPU;
                options = sessionOptions(settings, provider);
            }
            try (OrtSession.SessionOptions owned = options) {
                encoder = environment.createSession(encoderBytes, owned);
                predictor = environment.createSession(predictorBytes, owned);
            }
            checkEncoder(manifest, encoder);
            checkPredictor(manifest, predictor, condition);
        } catch (OrtException e) {
            closeQuietly(encoder, predictor);
            throw new InvalidModelException("model " + manifest.name() + " " + manifest.version() + " in " + dir
                    + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(encoder, predictor);
            throw e;
        }
        ModelRef ref = new ModelRef(manifest.name(), manifest.version(), manifest.sha256Of(ENCODER_FILE), manifest.sha256Of(PREDICTOR_FILE), null);
        LOG.info("model {} {} (preprocessing {}) verified and loaded from {} on {} with {} intra-op / {} inter-op threads",
                manifest.name(), manifest.version(), manifest.preprocessingVersion(), dir, provider,
                settings.intraOpThreads(), settings.interOpThreads());
        return new EmbeddingModel(manifest, ref, environment, encoder, predictor, provider, condition);
    }

    /**
     * Options for one provider; for CUDA, null when the provider cannot be loaded (CPU-only build, no driver,
     * no CUDA libraries), after one log line that says so.
     */
    private static OrtSession.SessionOptions sessionOptions(OrtSettings settings, ExecutionProvider provider) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Two cores shared with Kafka and the JVM: explicit pools, sequential operators, no spinning
        // (spinning pools fighting over two cores ran 2x slower in PLATFORM-NOTES' measurements).
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(settings.intraOpThreads());
        options.setInterOpNumThreads(settings.interOpThreads());
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        if (provider == ExecutionProvider.CUDA) {
            try {
                options.addCUDA(settings.cudaDevice());
            } catch (OrtException | LinkageError e) {
                options.close();
                LOG.warn("CUDA execution provider requested (device {}) but it cannot be loaded ({}); running on CPU",
                        settings.cudaDevice(), e.getMessage());
                return null;
            }
        }
        return options;
    }

    private static byte[] readVerified(ModelManifest manifest, Path dir, String fileName) {
        Path file = manifest.resolve(dir, fileName); // refuses names outside the directory and unlisted files
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidModelException("model " + manifest.name() + " " + manifest.version() + ": cannot read " + file + ": " + e, e);
        }
        String actual = sha256(bytes);
        String expected = manifest.sha256Of(fileName);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new InvalidModelException("model " + manifest.name() + " " + manifest.version() + ": " + file + " has sha256 " + actual
                    + " but the manifest says " + expected + "; refusing a file that is not the released model");
        }
        return bytes;
    }

    private static void checkEncoder(ModelManifest m, OrtSession encoder) throws OrtException {
        ModelManifest.ClipSpec clip = m.clip();
        requireTensor(m, ENCODER_FILE, encoder.getInputInfo(), CLIP, 5, new long[] {-1, clip.channels(), clip.frames(), clip.height(), clip.width()});
        requireTensor(m, ENCODER_FILE, encoder.getOutputInfo(), TOKENS, 3, new long[] {-1, -1, m.tokens().dim()});
        if (clip.channels() != 1) {
            throw new InvalidModelException("model " + m.name() + ": clip.channels is " + clip.channels()
                    + "; clips on the topic are grayscale (1 channel), a 3-channel model must repeat the channel inside its graph");
        }
    }

    private static void checkPredictor(ModelManifest m, OrtSession predictor, ConditionValues condition) throws OrtException {
        Map<String, NodeInfo> inputs = predictor.getInputInfo();
        requireTensor(m, PREDICTOR_FILE, inputs, CONTEXT_TOKENS, 3, new long[] {-1, -1, m.tokens().dim()});
        requireTensor(m, PREDICTOR_FILE, inputs, CONTEXT_POSITIONS, 2, new long[] {-1, -1});
        requireTensor(m, PREDICTOR_FILE, inputs, TARGET_POSITIONS, 2, new long[] {-1, -1});
        requireTensor(m, PREDICTOR_FILE, predictor.getOutputInfo(), PREDICTED_TOKENS, 3, new long[] {-1, -1, m.tokens().dim()});
        ModelManifest.PredictorSpec spec = m.predictor();
        int timeSlots = m.tokens().grid().get(0);
        if (spec != null && spec.contextSlots() > 0 && (spec.contextSlots() != timeSlots || spec.targetSlots() != timeSlots)) {
            throw new InvalidModelException("model " + m.name() + " " + m.version() + ": predictor spans " + spec.contextSlots()
                    + " context and " + spec.targetSlots() + " target time slots; this embedder predicts the next clip from one clip ("
                    + timeSlots + " and " + timeSlots + " slots)");
        }
        boolean hasCondition = inputs.containsKey(CONDITION);
        if (hasCondition != (condition.size() > 0)) {
            throw new InvalidModelException("model " + m.name() + " " + m.version() + ": " + PREDICTOR_FILE
                    + (hasCondition ? " takes a 'condition' input but the manifest names no condition components"
                                    : " has no 'condition' input but the manifest names " + condition.names()));
        }
        if (hasCondition) {
            requireTensor(m, PREDICTOR_FILE, inputs, CONDITION, 2, new long[] {-1, condition.size()});
        }
    }

    /** expected: -1 where the dimension is dynamic or not checked. */
    private static void requireTensor(ModelManifest m, String file, Map<String, NodeInfo> infos, String name, int rank, long[] expected) {
        NodeInfo info = infos.get(name);
        if (info == null || !(info.getInfo() instanceof TensorInfo tensor)) {
            throw new InvalidModelException("model " + m.name() + " " + m.version() + ": " + file + " has no tensor '" + name
                    + "' (it has " + infos.keySet() + "); see docs/onnx-contract.md");
        }
        long[] shape = tensor.getShape();
        boolean ok = shape.length == rank;
        for (int i = 0; ok && i < rank; i++) {
            ok = expected[i] < 0 || shape[i] < 0 || shape[i] == expected[i];
        }
        if (!ok) {
            throw new InvalidModelException("model " + m.name() + " " + m.version() + ": " + file + " tensor '" + name + "' has shape "
                    + Arrays.toString(shape) + ", the manifest implies " + Arrays.toString(expected) + " (-1: any)");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static void closeQuietly(OrtSession... sessions) {
        for (OrtSession session : sessions) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException e) {
                    LOG.debug("closing a half-built session failed", e);
                }
            }
        }
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public ModelRef modelRef() {
        return modelRef;
    }

    public ExecutionProvider provider() {
        return provider;
    }

    public ConditionValues condition() {
        return condition;
    }

    OrtEnvironment environment() {
        return environment;
    }

    OrtSession encoder() {
        return encoder;
    }

    OrtSession predictor() {
        return predictor;
    }

    /** Tokens of one clip: time slots x rows x columns of the token grid. */
    public int tokensPerClip() {
        return manifest.tokens().tokensPerClip();
    }

    public int latentDim() {
        return manifest.tokens().dim();
    }

    public List<Integer> tokenGrid() {
        return manifest.tokens().grid();
    }

    @Override
    public void close() {
        closeQuietly(encoder, predictor);
    }
}

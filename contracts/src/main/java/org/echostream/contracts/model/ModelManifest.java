package org.echostream.contracts.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The model manifest ({@code manifest.json} next to the ONNX files): what clip the model expects, what
 * tokens it produces, and the sha256 of every file. Ingest shapes clips from it, the embedder verifies
 * and loads the files it lists, the anomaly service reads the token grid and calibration.
 * See docs/onnx-contract.md for the meaning of every key.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
        // The model release writes "model"; "name" is this record's component name. Both are read.
        @JsonAlias("model") String name,
        String version,
        String preprocessingVersion,
        ClipSpec clip,
        TokenSpec tokens,
        PredictorSpec predictor,
        Map<String, FileEntry> files) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ClipSpec(int frames, int height, int width, int channels, double fps, int horizonFrames) {
    }

    /** grid = [time slots, rows, columns] of one clip; tubelet = [frames, pixels, pixels]. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TokenSpec(List<Integer> grid, List<Integer> tubelet, int dim, String order) {
        public int tokensPerClip() {
            return grid.stream().reduce(1, (a, b) -> a * b);
        }
    }

    /**
     * contextSlots / targetSlots = how many token time slots the context and the target span; condition =
     * names of the optional {@code condition} input's components, in order (may be empty).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PredictorSpec(int contextSlots, int targetSlots, List<String> condition) {
        public PredictorSpec {
            condition = condition == null ? List.of() : List.copyOf(condition);
        }

        /**
         * Slots are read as a count ({@code 8}) or, as the model release writes them, as an inclusive range
         * of time slots ({@code [0, 7]}: 8 slots).
         */
        @JsonCreator
        static PredictorSpec fromJson(@JsonProperty("contextSlots") JsonNode contextSlots,
                                      @JsonProperty("targetSlots") JsonNode targetSlots,
                                      @JsonProperty("condition") List<String> condition) {
            return new PredictorSpec(slotCount("contextSlots", contextSlots), slotCount("targetSlots", targetSlots), condition);
        }

        private static int slotCount(String key, JsonNode node) {
            if (node == null || node.isNull()) {
                return 0;
            }
            if (node.isInt()) {
                return node.intValue();
            }
            if (node.isArray() && node.size() == 2 && node.get(0).isInt() && node.get(1).isInt()
                    && node.get(1).intValue() >= node.get(0).intValue()) {
                return node.get(1).intValue() - node.get(0).intValue() + 1;
            }
            throw new IllegalArgumentException("manifest: predictor." + key + " must be a slot count or an inclusive range"
                    + " [first, last], got " + node);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String sha256, long bytes) {
    }

    public ModelManifest {
        Objects.requireNonNull(name, "manifest: name");
        Objects.requireNonNull(version, "manifest: version");
        Objects.requireNonNull(preprocessingVersion, "manifest: preprocessingVersion");
        Objects.requireNonNull(clip, "manifest: clip");
        Objects.requireNonNull(tokens, "manifest: tokens");
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    public static ModelManifest read(Path manifestFile) {
        try (InputStream in = Files.newInputStream(manifestFile)) {
            return JSON.readValue(in, ModelManifest.class);
        } catch (IOException e) {
            throw new InvalidModelException("model manifest " + manifestFile + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The configuration key every service that loads a release pins it with. */
    public static final String PIN_KEY = "echostream.model.release-sha256";
    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /**
     * Reads the manifest only when its bytes have the sha256 the service's configuration pins. The manifest
     * vouches for every other file of the release, and this pin vouches for the manifest: a release whose
     * files and manifest were replaced together is refused. The bytes checked are the bytes parsed.
     *
     * @param pinnedSha256 lower-case hex sha256 of manifest.json ({@code sha256sum manifest.json})
     * @throws InvalidModelException when the pin is not a sha256 or the manifest is not the pinned one
     */
    public static ModelManifest readPinned(Path manifestFile, String pinnedSha256) {
        if (pinnedSha256 == null || !SHA256_HEX.matcher(pinnedSha256.strip()).matches()) {
            throw new InvalidModelException(PIN_KEY + " must be the 64 lower-case hex digits of the release manifest's sha256 ("
                    + "sha256sum " + manifestFile.getFileName() + "), got '" + pinnedSha256 + "'");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(manifestFile);
        } catch (IOException e) {
            throw new InvalidModelException("model manifest " + manifestFile + " cannot be read: " + e.getMessage(), e);
        }
        String actual = sha256(bytes);
        if (!actual.equals(pinnedSha256.strip())) {
            throw new InvalidModelException("model manifest " + manifestFile + " has sha256 " + actual + " but " + PIN_KEY
                    + " pins " + pinnedSha256.strip() + "; refusing a release that is not the pinned one (after a new model release, "
                    + "set " + PIN_KEY + " to its manifest's sha256)");
        }
        try {
            return JSON.readValue(bytes, ModelManifest.class);
        } catch (IOException e) {
            throw new InvalidModelException("model manifest " + manifestFile + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves a file listed in the manifest inside {@code modelDir}, refusing names that would leave it.
     */
    public Path resolve(Path modelDir, String fileName) {
        if (!files.containsKey(fileName)) {
            throw new InvalidModelException("model " + name + " " + version + ": " + fileName + " is not listed in the manifest");
        }
        Path root = modelDir.toAbsolutePath().normalize();
        Path file = root.resolve(fileName).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new InvalidModelException("model " + name + " " + version + ": file name '" + fileName
                    + "' points outside the model directory " + root);
        }
        return file;
    }

    /**
     * Checks every listed file against its sha256 and size.
     *
     * @throws InvalidModelException naming the first file that is missing, outside the directory or altered
     */
    public void verify(Path modelDir) {
        for (var entry : files.entrySet()) {
            Path file = resolve(modelDir, entry.getKey());
            if (!Files.isRegularFile(file)) {
                throw new InvalidModelException("model " + name + " " + version + ": " + file + " is missing");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(entry.getValue().sha256())) {
                throw new InvalidModelException("model " + name + " " + version + ": " + file + " has sha256 " + actual
                        + " but the manifest says " + entry.getValue().sha256() + "; refusing a file that is not the released model");
            }
        }
    }

    public String sha256Of(String fileName) {
        FileEntry entry = files.get(fileName);
        if (entry == null) {
            throw new InvalidModelException("model " + name + " " + version + ": " + fileName + " is not listed in the manifest");
        }
        return entry.sha256();
    }

    /** Lower-case hex sha256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** Lower-case hex sha256 of a file's content. */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new InvalidModelException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}

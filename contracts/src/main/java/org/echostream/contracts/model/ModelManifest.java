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

    static String sha256(Path file) {
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

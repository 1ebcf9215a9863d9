package org.echostream.k8s.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The model release the cluster is allowed to run, as a {@code sha256sum -c} list: every file the manifest
 * lists with the manifest's own sha256, plus the manifest itself. The init container that copies the model
 * into each pod checks the copy against this list (from a ConfigMap, so the expected sums come from the
 * reviewed repository, not from the image that is being checked) and the pod does not start on a mismatch.
 *
 * <p>Only {@code version}, the model name and {@code files} are read here; the rest of the manifest is the
 * contracts module's business ({@code ModelManifest}).
 */
public record ModelChecksums(String model, String version, Map<String, String> sha256ByFile) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** File names the init container copies: no directories, nothing that would leave the model folder. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    public static final String MANIFEST = "manifest.json";

    public ModelChecksums {
        sha256ByFile = Map.copyOf(new TreeMap<>(sha256ByFile));
    }

    public static ModelChecksums of(Path manifestFile) {
        byte[] bytes;
        JsonNode root;
        try {
            bytes = Files.readAllBytes(manifestFile);
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("model manifest " + manifestFile + " cannot be read: " + e.getMessage(), e);
        }
        String model = text(root, manifestFile, "name", "model");
        String version = text(root, manifestFile, "version");
        JsonNode files = root.path("files");
        if (!files.isObject() || files.isEmpty()) {
            throw new IllegalArgumentException("model manifest " + manifestFile + " lists no files (\"files\" is missing or empty)");
        }
        Map<String, String> sums = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> file = it.next();
            String sha = file.getValue().path("sha256").asText("").toLowerCase(java.util.Locale.ROOT);
            if (!FILE_NAME.matcher(file.getKey()).matches()) {
                throw new IllegalArgumentException("model manifest " + manifestFile + ": file name '" + file.getKey()
                        + "' is not a plain file name; the model folder is flat");
            }
            if (!SHA256.matcher(sha).matches()) {
                throw new IllegalArgumentException("model manifest " + manifestFile + ": " + file.getKey()
                        + " has sha256 '" + sha + "', expected 64 hex digits");
            }
            sums.put(file.getKey(), sha);
        }
        if (sums.containsKey(MANIFEST)) {
            throw new IllegalArgumentException("model manifest " + manifestFile + " lists itself; it cannot hold its own checksum");
        }
        sums.put(MANIFEST, sha256(bytes));
        return new ModelChecksums(model, version, sums);
    }

    /** The {@code sha256sum -c} input: "hash, two spaces, file name" per line, sorted by file name. */
    public String sha256sums() {
        StringBuilder out = new StringBuilder();
        sha256ByFile.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append(e.getValue()).append("  ").append(e.getKey()).append('\n'));
        return out.toString();
    }

    /** One line naming the release, shown by the init container and kept next to the sums. */
    public String release() {
        return model + " " + version + "\n";
    }

    private static String text(JsonNode root, Path file, String... names) {
        for (String name : names) {
            if (root.path(name).isTextual() && !root.path(name).asText().isBlank()) {
                return root.path(name).asText();
            }
        }
        throw new IllegalArgumentException("model manifest " + file + " has no " + String.join(" or ", names));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}

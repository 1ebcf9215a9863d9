package org.echostream.k8s.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One rendered object before typing: its identity and its raw tree.
 *
 * @param apiVersion group/version as written
 * @param kind       kind as written
 * @param namespace  metadata.namespace ("" when the object names none)
 * @param name       metadata.name
 * @param body       the whole object
 */
public record Manifest(String apiVersion, String kind, String namespace, String name, JsonNode body) {

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final ObjectMapper TREE = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** "Deployment echostream/echostream-ingest": how findings name the object. */
    public String id() {
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }

    /** Splits a multi-document YAML stream (kustomize's output) into objects; empty documents are skipped. */
    public static List<Manifest> parseAll(String yaml) {
        List<Manifest> manifests = new ArrayList<>();
        try (YAMLParser parser = YAML.createParser(yaml)) {
            var documents = TREE.readValues(parser, JsonNode.class);
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                manifests.add(of(document));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("rendered YAML cannot be read: " + e.getMessage(), e);
        }
        return manifests;
    }

    static Manifest of(JsonNode document) {
        JsonNode metadata = document.path("metadata");
        return new Manifest(document.path("apiVersion").asText(""), document.path("kind").asText(""),
                metadata.path("namespace").asText(""), metadata.path("name").asText(""), document);
    }
}

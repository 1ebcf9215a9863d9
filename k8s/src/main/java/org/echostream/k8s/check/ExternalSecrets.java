package org.echostream.k8s.check;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Secrets the manifests use but never contain (k8s/external-secrets.yaml): whoever deploys creates them
 * in the namespace first. A reference to a Secret that is neither listed there nor made by an operator for a
 * rendered resource is a broken reference.
 */
public record ExternalSecrets(List<Entry> secrets) {

    /**
     * @param name    Secret name
     * @param keys    the keys the manifests read from it
     * @param type    Kubernetes Secret type (Opaque, kubernetes.io/tls)
     * @param purpose what it holds and who provides it
     */
    public record Entry(String name, Set<String> keys, String type, String purpose) {
    }

    public ExternalSecrets {
        secrets = List.copyOf(secrets);
    }

    public static ExternalSecrets read(Path file) {
        try {
            List<Entry> entries = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), new TypeReference<List<Entry>>() { });
            return new ExternalSecrets(entries);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the external Secrets list " + file + ": " + e.getMessage(), e);
        }
    }

    public Optional<Entry> find(String name) {
        return secrets.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Name -> keys, for the reference check. */
    Map<String, Set<String>> keysByName() {
        Map<String, Set<String>> keys = new java.util.HashMap<>();
        secrets.forEach(s -> keys.put(s.name(), s.keys()));
        return keys;
    }
}

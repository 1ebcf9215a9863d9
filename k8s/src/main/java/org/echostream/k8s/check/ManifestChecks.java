package org.echostream.k8s.check;

import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.kafka.Topic;

/**
 * Every check on one rendered overlay, in order: typing against the published models (a rejected object is
 * reported and left out of the later checks), then references, hardening, Kafka resources, scaling and GPU
 * placement. An empty list means the overlay is fit to apply.
 */
public final class ManifestChecks {

    private ManifestChecks() {
    }

    public static List<Finding> validate(String renderedYaml, ExternalSecrets external, List<Topic<?, ?>> catalogue) {
        List<Finding> findings = new ArrayList<>();
        List<Schemas.Typed> typed = new ArrayList<>();
        for (Manifest manifest : Manifest.parseAll(renderedYaml)) {
            Schemas.Parsed parsed = Schemas.parse(manifest);
            if (parsed instanceof Schemas.Typed t) {
                typed.add(t);
            } else if (parsed instanceof Schemas.Rejected rejected) {
                findings.addAll(rejected.findings());
            }
        }
        RenderedTree tree = new RenderedTree(typed);
        findings.addAll(References.check(tree, external));
        findings.addAll(Hardening.check(tree));
        findings.addAll(KafkaResources.check(tree, catalogue));
        findings.addAll(Scaling.check(tree));
        findings.addAll(Gpu.check(tree));
        return findings;
    }
}

package org.echostream.k8s.check;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The base's promises, checked on every rendered workload of ours: non-root, read-only root filesystem, no
 * privilege escalation, no capabilities, the runtime's seccomp profile, no API token; requests and limits for
 * CPU and memory; pinned image tags; startup, liveness and readiness probes on the Quarkus health endpoints;
 * and a PodDisruptionBudget that allows a node drain to proceed.
 */
public final class Hardening {

    static final Map<String, String> HEALTH = Map.of(
            "startup", "/q/health/started", "liveness", "/q/health/live", "readiness", "/q/health/ready");

    private Hardening() {
    }

    public static List<Finding> check(RenderedTree tree) {
        List<Finding> findings = new ArrayList<>();
        tree.ownWorkloads().forEach(w -> {
            var pod = w.pod();
            PodSecurityContext psc = pod.getSecurityContext();
            if (psc == null || !Boolean.TRUE.equals(psc.getRunAsNonRoot())) {
                findings.add(new Finding(w.id(), ".spec.template.spec.securityContext.runAsNonRoot", "must be true"));
            }
            if (psc == null || psc.getSeccompProfile() == null || !"RuntimeDefault".equals(psc.getSeccompProfile().getType())) {
                findings.add(new Finding(w.id(), ".spec.template.spec.securityContext.seccompProfile", "must be RuntimeDefault"));
            }
            if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
                findings.add(new Finding(w.id(), ".spec.template.spec.automountServiceAccountToken",
                        "must be false: no echostream service talks to the Kubernetes API"));
            }
            for (Container c : RenderedTree.containers(pod)) {
                container(w, c, findings);
            }
            for (Container c : pod.getContainers()) {
                probe(w, c, "startup", c.getStartupProbe(), findings);
                probe(w, c, "liveness", c.getLivenessProbe(), findings);
                probe(w, c, "readiness", c.getReadinessProbe(), findings);
            }
            disruptionBudget(tree, w, findings);
        });
        return findings;
    }

    private static void container(Workload w, Container c, List<Finding> findings) {
        String where = ".containers[name=" + c.getName() + "]";
        SecurityContext sc = c.getSecurityContext();
        if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
            findings.add(new Finding(w.id(), where + ".securityContext.readOnlyRootFilesystem", "must be true"));
        }
        if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            findings.add(new Finding(w.id(), where + ".securityContext.allowPrivilegeEscalation", "must be false"));
        }
        if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
            findings.add(new Finding(w.id(), where + ".securityContext.privileged", "must not be true"));
        }
        if (sc == null || sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                || !sc.getCapabilities().getDrop().contains("ALL")) {
            findings.add(new Finding(w.id(), where + ".securityContext.capabilities.drop", "must contain ALL"));
        }
        ResourceRequirements r = c.getResources();
        for (String resource : List.of("cpu", "memory")) {
            if (r == null || !has(r.getRequests(), resource)) {
                findings.add(new Finding(w.id(), where + ".resources.requests." + resource, "missing"));
            }
            if (r == null || !has(r.getLimits(), resource)) {
                findings.add(new Finding(w.id(), where + ".resources.limits." + resource, "missing"));
            }
        }
        String image = c.getImage() == null ? "" : c.getImage();
        String afterRegistry = image.substring(image.lastIndexOf('/') + 1);
        if (!image.contains("@sha256:") && (!afterRegistry.contains(":") || afterRegistry.endsWith(":latest"))) {
            findings.add(new Finding(w.id(), where + ".image", "'" + image + "' is not pinned: give a version tag or a digest, never latest"));
        }
    }

    private static boolean has(Map<String, Quantity> quantities, String resource) {
        return quantities != null && quantities.containsKey(resource);
    }

    private static void probe(Workload w, Container c, String kind, Probe probe, List<Finding> findings) {
        String where = ".containers[name=" + c.getName() + "]." + kind + "Probe";
        if (probe == null || probe.getHttpGet() == null) {
            findings.add(new Finding(w.id(), where, "missing: every service has an HTTP " + kind + " probe on " + HEALTH.get(kind)));
        } else if (!HEALTH.get(kind).equals(probe.getHttpGet().getPath())) {
            findings.add(new Finding(w.id(), where + ".httpGet.path", "is " + probe.getHttpGet().getPath() + ", the service answers on " + HEALTH.get(kind)));
        }
    }

    private static void disruptionBudget(RenderedTree tree, Workload w, List<Finding> findings) {
        List<RenderedTree.Typed<PodDisruptionBudget>> budgets = tree.all(PodDisruptionBudget.class).stream()
                .filter(p -> p.manifest().namespace().equals(w.namespace()) && !Selectors.isEmpty(p.value().getSpec().getSelector())
                        && Selectors.matches(p.value().getSpec().getSelector(), w.podLabels()))
                .toList();
        if (budgets.isEmpty()) {
            findings.add(new Finding(w.id(), "", "no PodDisruptionBudget selects its pods"));
        }
        for (var budget : budgets) {
            var spec = budget.value().getSpec();
            boolean blocksDrain = spec.getMaxUnavailable() != null
                    ? spec.getMaxUnavailable().getIntVal() != null && spec.getMaxUnavailable().getIntVal() < 1
                    : spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null && spec.getMinAvailable().getIntVal() >= w.replicas();
            if (blocksDrain) {
                findings.add(new Finding(budget.manifest().id(), ".spec", "allows no disruption of " + w.id()
                        + " (" + w.replicas() + " replicas): node drains would hang; use maxUnavailable: 1"));
            }
        }
    }
}

package org.echostream.k8s.check;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * GPU placement is all-or-nothing: a container that asks for an NVIDIA GPU runs the CUDA image variant with
 * the CUDA execution provider, requests and limits the same GPU count (extended resources cannot be
 * overcommitted), and its pod selects and tolerates GPU nodes; a container told to use CUDA asks for a GPU.
 */
public final class Gpu {

    static final String RESOURCE = "nvidia.com/gpu";
    static final String PROVIDER = "ECHOSTREAM_EMBEDDER_EXECUTION_PROVIDER";

    private Gpu() {
    }

    public static List<Finding> check(RenderedTree tree) {
        List<Finding> findings = new ArrayList<>();
        tree.ownWorkloads().forEach(w -> {
            for (Container c : w.pod().getContainers()) {
                String where = ".containers[name=" + c.getName() + "]";
                Quantity request = get(c.getResources() == null ? null : c.getResources().getRequests());
                Quantity limit = get(c.getResources() == null ? null : c.getResources().getLimits());
                String provider = tree.environment(w, c).get(PROVIDER);
                boolean gpu = request != null || limit != null;
                if (!gpu) {
                    if ("cuda".equals(provider)) {
                        findings.add(new Finding(w.id(), where, PROVIDER + "=cuda but the container requests no " + RESOURCE));
                    }
                    continue;
                }
                if (!Objects.equals(request, limit)) {
                    findings.add(new Finding(w.id(), where + ".resources", RESOURCE + " request " + request + " and limit " + limit + " must be equal"));
                }
                if (!"cuda".equals(provider)) {
                    findings.add(new Finding(w.id(), where, "requests a GPU but " + PROVIDER + " is " + provider + ", not cuda"));
                }
                String image = c.getImage() == null ? "" : c.getImage();
                if (!image.substring(image.lastIndexOf('/') + 1).contains("-gpu")) {
                    findings.add(new Finding(w.id(), where + ".image", image + " is not a GPU variant (built with onnxruntime_gpu): name it *-gpu"));
                }
                var pod = w.pod();
                if (pod.getNodeSelector() == null || pod.getNodeSelector().keySet().stream().noneMatch(k -> k.startsWith("nvidia.com/"))) {
                    findings.add(new Finding(w.id(), ".spec.template.spec.nodeSelector", "requests a GPU but selects no GPU node label (nvidia.com/...)"));
                }
                if (pod.getTolerations() == null || pod.getTolerations().stream().noneMatch(t -> RESOURCE.equals(t.getKey()))) {
                    findings.add(new Finding(w.id(), ".spec.template.spec.tolerations", "requests a GPU but does not tolerate the " + RESOURCE + " taint of GPU nodes"));
                }
            }
        });
        return findings;
    }

    private static Quantity get(Map<String, Quantity> quantities) {
        return quantities == null ? null : quantities.get(RESOURCE);
    }
}

package org.echostream.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.echostream.api.health.RepresentationMonitor;
import org.echostream.contracts.ClipLatents;
import org.jboss.logging.Logger;

/**
 * The representation monitor wired to the feed and Prometheus: one gauge set per model and scanner; the health group
 * is {@link RepresentationHealthCheck}.
 */
@Singleton
class RepresentationHealth {

    private static final Logger LOG = Logger.getLogger(RepresentationHealth.class);

    private final RepresentationMonitor monitor;
    private final MeterRegistry metrics;
    private final Set<RepresentationMonitor.Context> registered = new HashSet<>();
    private final Set<RepresentationMonitor.Context> degraded = new HashSet<>();

    RepresentationHealth(ApiConfig config, MeterRegistry metrics) {
        ApiConfig.Representation r = config.api().representation();
        this.monitor = new RepresentationMonitor(new RepresentationMonitor.Settings(r.clipWindow(), r.referenceLoops(), r.driftWindowLoops(),
                r.evaluateEveryLoops(), r.permutations(), r.alpha(), r.consecutiveAlarms(), r.maxContexts(), r.maxPendingLoops(),
                r.trendPoints(), 20261204L));
        this.metrics = metrics;
    }

    /** One clip's latents, from the feed thread; the scanner is asked once the loop is complete. */
    void add(ClipLatents latents, Supplier<String> scanner) {
        var ref = latents.getRef();
        String model = latents.getModel().getName() + "@" + latents.getModel().getVersion();
        monitor.add(model, ref.getSeriesInstanceUid() + "/" + ref.getSopInstanceUid(), ref.getClipIndex(), latents.getClipsInLoop(),
                latents.getPooledEmbedding(), latents.getProducedAt(), scanner);
        for (RepresentationMonitor.Snapshot s : monitor.snapshots()) {
            register(s.context());
            boolean isDegraded = s.state() == RepresentationMonitor.State.DEGRADED;
            if (isDegraded && degraded.add(s.context())) {
                LOG.warnf("representation health: model %s, scanner %s DEGRADED: drift MMD^2 %.4f above its permutation threshold %.4f "
                                + "(p %.4f) in successive evaluations, after %d loops", s.context().model(), s.context().scanner(),
                        s.drift().mmd2(), s.drift().threshold(), s.drift().pValue(), s.loops());
            } else if (!isDegraded && degraded.remove(s.context())) {
                LOG.infof("representation health: model %s, scanner %s back to %s", s.context().model(), s.context().scanner(), s.state());
            }
        }
    }

    /** The read model caught up: every instance record read, so a loop whose scanner is still unknown stays unknown. */
    void settle() {
        monitor.settle();
    }

    List<RepresentationMonitor.Snapshot> snapshots() {
        return monitor.snapshots();
    }

    private void register(RepresentationMonitor.Context context) {
        if (!registered.add(context)) {
            return;
        }
        Tags tags = Tags.of("model", context.model(), "scanner", context.scanner());
        gauge("echostream.api.representation.rankme", tags, context, RepresentationMonitor.Snapshot::rankMe);
        gauge("echostream.api.representation.mean.std", tags, context, RepresentationMonitor.Snapshot::meanStd);
        gauge("echostream.api.representation.min.std", tags, context, RepresentationMonitor.Snapshot::minStd);
        gauge("echostream.api.representation.mean.cosine", tags, context, RepresentationMonitor.Snapshot::meanCosine);
        gauge("echostream.api.representation.loops", tags, context, s -> s.loops());
        gauge("echostream.api.representation.drift.mmd2", tags, context, s -> s.drift() == null ? Double.NaN : s.drift().mmd2());
        gauge("echostream.api.representation.drift.threshold", tags, context, s -> s.drift() == null ? Double.NaN : s.drift().threshold());
        gauge("echostream.api.representation.drift.p.value", tags, context, s -> s.drift() == null ? Double.NaN : s.drift().pValue());
        gauge("echostream.api.representation.degraded", tags, context, s -> s.state() == RepresentationMonitor.State.DEGRADED ? 1 : 0);
    }

    private void gauge(String name, Tags tags, RepresentationMonitor.Context context, ToDoubleFunction<RepresentationMonitor.Snapshot> value) {
        Gauge.builder(name, monitor, m -> m.snapshot(context).map(value::applyAsDouble).orElse(Double.NaN)).tags(tags).register(metrics);
    }
}

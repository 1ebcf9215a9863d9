package org.echostream.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.echostream.api.health.RepresentationMonitor;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The representation's health per model and scanner, with its trend; no patient data (models, manufacturers, statistics). */
@Path("/api/v1/representation-health")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLINICIAN, Roles.ADMIN})
public class RepresentationResource {

    /** Statistics are null until there is enough data (JSON has no NaN). */
    public record Point(Instant at, long loops, Double rankMe, Double meanStd, Double meanCosine, double mmd2, double threshold, double pValue,
                        boolean alarm) {
    }

    public record Context(String model, String scanner, String state, long clips, long loops, int referenceLoops, int referenceTarget,
                          int dimensions, Double rankMe, Double meanStd, Double minStd, Double meanCosine, Double driftMmd2,
                          Double driftThreshold, Double driftPValue, List<Point> trend) {
    }

    private final RepresentationHealth health;
    private final ReadModelFeed feed;

    RepresentationResource(RepresentationHealth health, ReadModelFeed feed) {
        this.health = health;
        this.feed = feed;
    }

    @GET
    @Operation(summary = "Per model and scanner: state (WARMING_UP, OK, DEGRADED), rolling RankMe, per-dimension std, mean pairwise cosine, "
            + "drift of loop embeddings against the reference (MMD^2, permutation threshold, p-value) and the trend of evaluations")
    public List<Context> list() {
        ReadModelGate.requireReady(feed);
        return health.snapshots().stream().map(RepresentationResource::view).toList();
    }

    private static Context view(RepresentationMonitor.Snapshot s) {
        var d = s.drift();
        return new Context(s.context().model(), s.context().scanner(), s.state().name(), s.clips(), s.loops(), s.referenceLoops(),
                s.referenceTarget(), s.dimensions(), finite(s.rankMe()), finite(s.meanStd()), finite(s.minStd()), finite(s.meanCosine()),
                d == null ? null : d.mmd2(), d == null ? null : d.threshold(), d == null ? null : d.pValue(),
                s.trend().stream().map(p -> new Point(p.at(), p.loops(), finite(p.rankMe()), finite(p.meanStd()), finite(p.meanCosine()),
                        p.mmd2(), p.threshold(), p.pValue(), p.alarm())).toList());
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

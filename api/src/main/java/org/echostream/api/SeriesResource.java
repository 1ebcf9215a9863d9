package org.echostream.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.echostream.api.model.CineStore;
import org.echostream.api.model.KeyframeLookup;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.Views;
import org.echostream.api.render.CineSprite;
import org.echostream.api.render.HeatmapKeyframe;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("/api/v1/series")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLINICIAN, Roles.ADMIN})
public class SeriesResource {

    private static final String PNG = "image/png";

    private final ReadModel model;
    private final ReadModelFeed feed;
    private final ApiConfig config;

    SeriesResource(ReadModel model, ReadModelFeed feed, ApiConfig config) {
        this.model = model;
        this.feed = feed;
        this.config = config;
    }

    /** How to play a loop: the sprite's layout and where to get it. */
    public record Cine(String seriesInstanceUid, String sopInstanceUid, CineSprite.Layout layout, String spriteUrl) {
    }

    @GET
    @Operation(summary = "Every series with frames, clips, score and flag; flagged and highest-scoring first")
    public List<Views.SeriesItem> list(@QueryParam("flagged") Boolean flagged, @QueryParam("limit") @DefaultValue("200") int limit) {
        ReadModelGate.requireReady(feed);
        if (limit < 1 || limit > config.api().maxPageSize()) {
            throw ApiErrors.badRequest("limit must be between 1 and " + config.api().maxPageSize() + ", got " + limit);
        }
        return model.series(flagged, limit);
    }

    @GET
    @Path("{seriesInstanceUid}")
    @Operation(summary = "A series: anomaly score, flag, clips, events (frames, time range, score, region), loops and model version")
    public Views.SeriesDetail series(@PathParam("seriesInstanceUid") String uid) {
        ReadModelGate.requireReady(feed);
        return model.seriesDetail(uid).orElseThrow(() -> ApiErrors.notFound("no series " + uid));
    }

    @GET
    @Path("{seriesInstanceUid}/timeline")
    @Operation(summary = "Surprise per clip, per loop, with the loop's events")
    public Views.Timeline timeline(@PathParam("seriesInstanceUid") String uid) {
        ReadModelGate.requireReady(feed);
        return model.timeline(uid).orElseThrow(() -> ApiErrors.notFound("no series " + uid));
    }

    @GET
    @Path("{seriesInstanceUid}/loops/{sopInstanceUid}/cine")
    @Operation(summary = "Layout of the loop's cine sprite (cleaned sector at model resolution)")
    public Cine cine(@PathParam("seriesInstanceUid") String uid, @PathParam("sopInstanceUid") String sop) {
        ReadModelGate.requireReady(feed);
        CineStore.LoopPixels pixels = heldLoop(uid, sop);
        return new Cine(uid, sop, CineSprite.layout(pixels.width(), pixels.height(), pixels.frames(), pixels.fps()),
                "/api/v1/series/" + uid + "/loops/" + sop + "/cine.png");
    }

    @GET
    @Path("{seriesInstanceUid}/loops/{sopInstanceUid}/cine.png")
    @Produces({PNG, MediaType.APPLICATION_JSON})
    @Operation(summary = "The loop's frames tiled in one grayscale PNG (see the cine layout)")
    public Response cinePng(@PathParam("seriesInstanceUid") String uid, @PathParam("sopInstanceUid") String sop) {
        ReadModelGate.requireReady(feed);
        CineStore.LoopPixels pixels = heldLoop(uid, sop);
        return png(CineSprite.png(pixels.width(), pixels.height(), pixels.frames()));
    }

    @GET
    @Path("{seriesInstanceUid}/loops/{sopInstanceUid}/clips/{clipIndex}/keyframe.png")
    @Produces({PNG, MediaType.APPLICATION_JSON})
    @Operation(summary = "The clip's middle frame with its surprise heatmap and event regions over the cropped sector")
    public Response keyframe(@PathParam("seriesInstanceUid") String uid, @PathParam("sopInstanceUid") String sop,
                             @PathParam("clipIndex") int clipIndex, @QueryParam("overlay") @DefaultValue("true") boolean overlay) {
        ReadModelGate.requireReady(feed);
        KeyframeLookup lookup = model.keyframe(uid, sop, clipIndex);
        if (lookup instanceof KeyframeLookup.Found f) {
            List<HeatmapKeyframe.Box> boxes = f.eventRegions().stream()
                    .map(r -> new HeatmapKeyframe.Box(r.rowStart(), r.rowEnd(), r.colStart(), r.colEnd())).toList();
            byte[] png = HeatmapKeyframe.png(f.width(), f.height(), f.frame(), f.crop(), overlay ? f.tokenGrid() : null,
                    overlay ? f.tokenSurprise() : null, f.scaleMax(), overlay ? boxes : List.of(), config.api().render().keyframeUpscale());
            return Response.ok(png, PNG).cacheControl(privateNoStore())
                    .header("X-Echostream-Frame", f.frameIndex())
                    .header("X-Echostream-Overlay", overlay && f.tokenGrid() != null ? "surprise" : "none")
                    .build();
        }
        if (lookup instanceof KeyframeLookup.PixelsNotHeld gone) {
            throw ApiErrors.notFound(gone.reason());
        }
        throw ApiErrors.notFound(((KeyframeLookup.NotFound) lookup).reason());
    }

    private CineStore.LoopPixels heldLoop(String uid, String sop) {
        return model.cine(uid, sop).filter(p -> !p.frames().isEmpty()).orElseThrow(() -> ApiErrors.notFound(
                "no frames held for loop " + sop + " of series " + uid + " (the api keeps the most recent loops within "
                        + config.api().cine().maxBytes() + " bytes; the clips topic keeps 3 days)"));
    }

    private static Response png(byte[] bytes) {
        return Response.ok(bytes, PNG).cacheControl(privateNoStore()).build();
    }

    /** Images of patients' hearts: never in a shared cache. */
    private static CacheControl privateNoStore() {
        CacheControl cc = new CacheControl();
        cc.setPrivate(true);
        cc.setNoStore(true);
        return cc;
    }
}

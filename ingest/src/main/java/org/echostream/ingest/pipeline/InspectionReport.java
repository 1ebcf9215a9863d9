package org.echostream.ingest.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.dicom.TransferSyntax;
import org.echostream.ingest.prep.ClipShape;

/** One JSON line per inspected file: what it is, how it was timed and cropped, and the verdict with its reason. */
public final class InspectionReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InspectionReport() {
    }

    public static String line(String file, ProcessedInstance p, ClipShape shape) {
        InstanceFacts f = p.facts();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file);
        out.put("sopInstanceUid", f.sopInstanceUid());
        out.put("transferSyntax", f.transferSyntaxUid());
        TransferSyntax syntax = TransferSyntax.byUid(f.transferSyntaxUid());
        out.put("transferSyntaxName", syntax == null ? null : syntax.title());
        out.put("photometric", f.photometric());
        out.put("frames", f.frames());
        out.put("rows", f.rows());
        out.put("columns", f.columns());
        out.put("frameTimeMillis", f.frameTimeMillis());
        out.put("frameTimeSource", f.frameTimeSource());
        if (f.region() != null) {
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("x", f.region().x());
            region.put("y", f.region().y());
            region.put("width", f.region().width());
            region.put("height", f.region().height());
            region.put("source", f.region().source().name());
            out.put("region", region);
        } else {
            out.put("region", null);
        }
        out.put("heartRateBpm", f.heartRate() == null ? null : Math.round(f.heartRate().bpm() * 10) / 10.0);
        out.put("heartRateSource", f.heartRate() == null ? null : f.heartRate().source());
        out.put("verdict", verdictName(p.verdict().verdict()));
        out.put("reasonCode", p.verdict().reasonCode());
        out.put("reason", p.verdict().reasonDetail());
        out.put("clips", f.clipCount());
        out.put("model", shape.modelName() + " " + shape.modelVersion());
        out.put("preprocessingVersion", shape.preprocessingVersion());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("inspection report of " + file + " cannot be written as JSON", e);
        }
    }

    static String verdictName(Verdict verdict) {
        return switch (verdict) {
            case CLIPS -> "clips";
            case NOT_SCORED -> "not-scored";
            case REJECTED -> "rejected";
        };
    }
}

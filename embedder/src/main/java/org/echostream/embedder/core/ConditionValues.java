package org.echostream.embedder.core;

import java.util.List;
import org.echostream.contracts.Clip;
import org.echostream.contracts.model.InvalidModelException;
import org.echostream.contracts.model.ModelManifest;

/**
 * The predictor's {@code condition} input, component by component as the manifest names them.
 * Known components:
 * <ul>
 *   <li>{@code rr_s}: RR interval in seconds, 60 / the clip's heart rate (prep-1 step 8);</li>
 *   <li>{@code horizon_s}: how far ahead the prediction is, the model's horizon frames / clip fps.</li>
 * </ul>
 * A manifest naming anything else is refused at start: feeding a component we cannot compute would give
 * silently wrong predictions.
 */
public final class ConditionValues {

    /** prep-1 accepts DICOM heart rates in this range and estimates within it; anything else is not a heart rate. */
    static final double MIN_BPM = 30.0;
    static final double MAX_BPM = 200.0;

    private static final List<String> KNOWN = List.of("rr_s", "horizon_s");

    private final List<String> names;
    private final double horizonSeconds;

    private ConditionValues(List<String> names, double horizonSeconds) {
        this.names = names;
        this.horizonSeconds = horizonSeconds;
    }

    public static ConditionValues of(ModelManifest manifest) {
        List<String> names = manifest.predictor() == null ? List.of() : manifest.predictor().condition();
        for (String name : names) {
            if (!KNOWN.contains(name)) {
                throw new InvalidModelException("model " + manifest.name() + " " + manifest.version() + ": predictor condition '"
                        + name + "' is unknown to this embedder (it knows " + KNOWN + "); upgrade the embedder for this model");
            }
        }
        return new ConditionValues(List.copyOf(names), manifest.clip().horizonFrames() / manifest.clip().fps());
    }

    public int size() {
        return names.size();
    }

    public List<String> names() {
        return names;
    }

    /** Why this clip's condition cannot be computed, or null when it can. */
    public String problemWith(Clip clip) {
        if (names.contains("rr_s")) {
            Double bpm = clip.getHeartRateBpm();
            if (bpm == null) {
                return "carries no heart rate; the predictor is conditioned on the RR interval (rr_s)";
            }
            if (!(bpm >= MIN_BPM && bpm <= MAX_BPM)) {
                return "has heart rate " + bpm + " bpm, outside " + MIN_BPM + ".." + MAX_BPM + " bpm; the predictor's RR interval would be meaningless";
            }
        }
        return null;
    }

    /** Writes this clip's components at {@code out[offset..offset+size())}; call only when {@link #problemWith} is null. */
    public void fill(Clip clip, float[] out, int offset) {
        for (int i = 0; i < names.size(); i++) {
            out[offset + i] = switch (names.get(i)) {
                case "rr_s" -> (float) (60.0 / clip.getHeartRateBpm());
                case "horizon_s" -> (float) horizonSeconds;
                default -> throw new IllegalStateException("unchecked condition " + names.get(i));
            };
        }
    }
}

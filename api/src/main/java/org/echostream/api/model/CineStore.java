package org.echostream.api.model;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.echostream.contracts.Clip;
import org.echostream.contracts.CropGeometry;

/**
 * The cleaned, model-resolution frames of recent cine loops, for the cine player and the keyframes, held
 * within a fixed byte budget. Frames are kept once per resampled frame index (overlapping clips repeat
 * frames), at most {@code maxFramesPerLoop} per loop; when the budget is exceeded the loop used least
 * recently is dropped whole. A dropped loop is not re-read: the clips topic (3 days) is the source, and the
 * api reads it again only at its next start.
 *
 * <p>Its methods are synchronized: reads update the recency order.
 */
public final class CineStore {

    /**
     * The frames held of one loop; {@code frames} maps the frame index on the resampled axis to height*width
     * bytes, {@code middleFrames} each clip index to the index of its middle frame (its keyframe).
     */
    public record LoopPixels(String seriesInstanceUid, String sopInstanceUid, int width, int height, double fps,
                             CropGeometry crop, NavigableMap<Integer, byte[]> frames, NavigableMap<Integer, Integer> middleFrames) {
    }

    private final long maxBytes;
    private final int maxFramesPerLoop;
    private final Map<String, Held> loops = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long evictedLoops;

    private static final class Held {
        final String series;
        final String sop;
        final int width;
        final int height;
        double fps;
        CropGeometry crop;
        final TreeMap<Integer, byte[]> frames = new TreeMap<>();
        final TreeMap<Integer, Integer> middleFrames = new TreeMap<>();

        Held(String series, String sop, int width, int height) {
            this.series = series;
            this.sop = sop;
            this.width = width;
            this.height = height;
        }

        long bytes() {
            return (long) frames.size() * width * height;
        }
    }

    public CineStore(long maxBytes, int maxFramesPerLoop) {
        if (maxFramesPerLoop < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("cine budget must be positive, got " + maxBytes + " bytes and " + maxFramesPerLoop + " frames per loop");
        }
        this.maxBytes = maxBytes;
        this.maxFramesPerLoop = maxFramesPerLoop;
    }

    public synchronized Applied put(Clip clip) {
        var ref = clip.getRef();
        int frames = clip.getFrames();
        int width = clip.getWidth();
        int height = clip.getHeight();
        if (frames < 1 || width < 1 || height < 1) {
            return Applied.invalid("clip " + ref.getSopInstanceUid() + "/" + ref.getClipIndex() + ": shape " + frames + "x" + height + "x" + width + " is empty");
        }
        long frameBytes = (long) width * height;
        int pixels = clip.getPixels().remaining();
        if (pixels != frames * frameBytes) {
            return Applied.invalid("clip " + ref.getSopInstanceUid() + "/" + ref.getClipIndex() + ": declares " + frames + "x" + height + "x" + width
                    + " = " + frames * frameBytes + " pixel bytes, carries " + pixels);
        }
        if (frameBytes * maxFramesPerLoop > maxBytes) {
            return new Applied.Ignored("one loop of " + maxFramesPerLoop + " frames of " + width + "x" + height + " exceeds the cine budget of " + maxBytes + " bytes");
        }
        String key = key(ref.getSeriesInstanceUid(), ref.getSopInstanceUid());
        Held held = loops.get(key);
        if (held != null && (held.width != width || held.height != height)) {
            // A new model resolution for the same loop (reprocessed): the older frames cannot be mixed in.
            bytes -= held.bytes();
            loops.remove(key);
            held = null;
        }
        if (held == null) {
            held = new Held(ref.getSeriesInstanceUid(), ref.getSopInstanceUid(), width, height);
            loops.put(key, held);
        }
        held.middleFrames.put(ref.getClipIndex(), ref.getFirstFrame() + frames / 2);
        held.fps = clip.getFps();
        held.crop = clip.getCrop();
        var buffer = clip.getPixels().duplicate();
        boolean added = false;
        for (int f = 0; f < frames; f++) {
            int index = ref.getFirstFrame() + f;
            byte[] frame = new byte[(int) frameBytes];
            buffer.get(frame);
            if (held.frames.containsKey(index) || (held.frames.size() >= maxFramesPerLoop && index > held.frames.lastKey())) {
                continue;
            }
            held.frames.put(index, frame);
            bytes += frameBytes;
            added = true;
            if (held.frames.size() > maxFramesPerLoop) {
                bytes -= frameBytes;
                held.frames.pollLastEntry();
            }
        }
        evictBeyondBudget(key);
        return added ? Applied.stored() : new Applied.Ignored("frames already held or beyond " + maxFramesPerLoop + " frames");
    }

    public synchronized Optional<LoopPixels> loop(String series, String sop) {
        Held held = loops.get(key(series, sop));
        if (held == null) {
            return Optional.empty();
        }
        return Optional.of(new LoopPixels(held.series, held.sop, held.width, held.height, held.fps, held.crop,
                Collections.unmodifiableNavigableMap(new TreeMap<>(held.frames)),
                Collections.unmodifiableNavigableMap(new TreeMap<>(held.middleFrames))));
    }

    public synchronized int framesHeld(String series, String sop) {
        // Not an access: listing a series must not change which loop is dropped next.
        for (Held held : loops.values()) {
            if (held.series.equals(series) && held.sop.equals(sop)) {
                return held.frames.size();
            }
        }
        return 0;
    }

    public synchronized long bytesHeld() {
        return bytes;
    }

    public synchronized int loopsHeld() {
        return loops.size();
    }

    public synchronized long evictedLoops() {
        return evictedLoops;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private void evictBeyondBudget(String keep) {
        Iterator<Map.Entry<String, Held>> eldest = loops.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Held> entry = eldest.next();
            if (entry.getKey().equals(keep)) {
                continue;
            }
            bytes -= entry.getValue().bytes();
            eldest.remove();
            evictedLoops++;
        }
    }

    private static String key(String series, String sop) {
        return series + '\u0000' + sop;
    }
}

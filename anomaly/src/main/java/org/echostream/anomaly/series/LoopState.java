package org.echostream.anomaly.series;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One cine loop (SOP instance) of a series: which clips arrived, which wait for their partner, which
 * scored clips wait for an earlier one, and the evidence rule's window. Predictions are compared within a
 * loop only.
 */
final class LoopState {

    String sopInstanceUid;
    int clipsInLoop;
    List<Integer> tokenGrid;
    int latentDim;
    String encoderSha256;
    String predictorSha256;
    CropState crop;
    TreeSet<Integer> received = new TreeSet<>();
    /** firstFrame -> clip waiting in the tensor buffer. */
    TreeMap<Integer, StoredClip> stored = new TreeMap<>();
    /** clipIndex -> scored clip waiting for the clips before it to be evaluated. */
    TreeMap<Integer, ScoredClip> pendingScores = new TreeMap<>();
    /** The next clip index the evidence rule expects; clip 0 has no prediction, so 1. */
    int cursor = 1;
    /** The last n evaluated clips. */
    List<ScoredClip> window = new ArrayList<>();
    OpenEvent open;
    /** Clips evaluated after the event's last surprising clip: they join it only if another surprising clip follows. */
    List<ScoredClip> tail = new ArrayList<>();
    boolean complete;

    boolean allReceived() {
        return received.size() >= clipsInLoop;
    }
}

package org.echostream.ingest.pipeline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.echostream.contracts.Verdict;

/**
 * SOP Instance UIDs already ingested (cut into clips or kept as not scored): imports and C-STORE skip them.
 * Rejected instances are not in it, so a corrected file with the same UID is taken. Filled at start from
 * the compacted instances topic (the ledger's durable form) and kept current by this process's publishes.
 */
public final class InstanceLedger {

    private final Set<String> ingested = ConcurrentHashMap.newKeySet();

    public boolean contains(String sopInstanceUid) {
        return sopInstanceUid != null && ingested.contains(sopInstanceUid);
    }

    public void record(String sopInstanceUid, Verdict verdict) {
        if (verdict == Verdict.REJECTED) {
            ingested.remove(sopInstanceUid);
        } else {
            ingested.add(sopInstanceUid);
        }
    }

    /** A tombstone on the instances topic: the instance was withdrawn. */
    public void forget(String sopInstanceUid) {
        ingested.remove(sopInstanceUid);
    }

    public int size() {
        return ingested.size();
    }
}

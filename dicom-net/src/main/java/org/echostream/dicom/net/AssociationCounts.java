package org.echostream.dicom.net;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Associations held now, in total, per calling AE title and per remote address; taken after a valid
 * A-ASSOCIATE-RQ and given back when the association ends, so that only a negotiated association counts.
 */
final class AssociationCounts {

    /** Which limit refused an association (the listener's reason). */
    enum Refusal { TOO_MANY_ASSOCIATIONS, TOO_MANY_FOR_CALLING_AE, TOO_MANY_FOR_ADDRESS }

    private final int maxTotal;
    private final int maxPerAe;
    private final int maxPerAddress;
    private final Map<String, Integer> perAe = new ConcurrentHashMap<>();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private int total;
    private int peak;

    AssociationCounts(int maxTotal, int maxPerAe, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAe = maxPerAe;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes one association for the caller, or says which limit it would pass (and takes nothing). */
    synchronized Refusal acquire(String callingAe, String address) {
        if (total >= maxTotal) {
            return Refusal.TOO_MANY_ASSOCIATIONS;
        }
        if (perAe.getOrDefault(callingAe, 0) >= maxPerAe) {
            return Refusal.TOO_MANY_FOR_CALLING_AE;
        }
        if (perAddress.getOrDefault(address, 0) >= maxPerAddress) {
            return Refusal.TOO_MANY_FOR_ADDRESS;
        }
        total++;
        peak = Math.max(peak, total);
        perAe.merge(callingAe, 1, Integer::sum);
        perAddress.merge(address, 1, Integer::sum);
        return null;
    }

    synchronized void release(String callingAe, String address) {
        total--;
        perAe.computeIfPresent(callingAe, (k, n) -> n == 1 ? null : n - 1);
        perAddress.computeIfPresent(address, (k, n) -> n == 1 ? null : n - 1);
    }

    synchronized int active() {
        return total;
    }

    synchronized int peak() {
        return peak;
    }
}

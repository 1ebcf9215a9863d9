package org.echostream.findings.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.echostream.contracts.FindingsDelivery;

/**
 * The latest delivery record of each study, as read back from the compacted deliveries topic at start and kept
 * up to date as this service writes new ones. Not thread-safe: the feed thread owns it.
 */
public final class DeliveryLedger {

    private final Map<String, FindingsDelivery> latest = new HashMap<>();

    public void apply(String studyInstanceUid, FindingsDelivery delivery) {
        if (delivery == null) {
            latest.remove(studyInstanceUid);
        } else {
            latest.put(studyInstanceUid, delivery);
        }
    }

    public Optional<FindingsDelivery> latest(String studyInstanceUid) {
        return Optional.ofNullable(latest.get(studyInstanceUid));
    }

    public int size() {
        return latest.size();
    }
}

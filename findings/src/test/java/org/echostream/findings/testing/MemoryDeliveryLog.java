package org.echostream.findings.testing;

import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.findings.delivery.DeliveryLog;

/** The deliveries and dead-letter topics as lists; {@link #failNext} makes the next record fail as a broker outage would. */
public final class MemoryDeliveryLog implements DeliveryLog {

    public final List<FindingsDelivery> deliveries = new ArrayList<>();
    public final List<DeadLetter> deadLetters = new ArrayList<>();
    private int failures;

    public void failNext(int count) {
        failures = count;
    }

    @Override
    public void record(FindingsDelivery delivery) {
        if (failures > 0) {
            failures--;
            throw new DeliveryLogException("broker unreachable (test)", null);
        }
        deliveries.add(delivery);
    }

    @Override
    public void deadLetter(DeadLetter letter) {
        deadLetters.add(letter);
    }
}

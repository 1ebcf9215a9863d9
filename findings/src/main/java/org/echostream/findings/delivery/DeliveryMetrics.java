package org.echostream.findings.delivery;

import java.time.Duration;

/** What deliveries count; the Quarkus layer backs it with Micrometer, tests with nothing or a tally. */
public interface DeliveryMetrics {

    DeliveryMetrics NONE = new DeliveryMetrics() {
    };

    default void delivered(String transport, Duration took) {
    }

    default void retrying(String reasonCode) {
    }

    default void failed(String reasonCode) {
    }

    default void alreadyDelivered() {
    }
}

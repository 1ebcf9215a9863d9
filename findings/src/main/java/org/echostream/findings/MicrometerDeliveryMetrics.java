package org.echostream.findings;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.echostream.findings.delivery.DeliveryMetrics;

/**
 * Delivery counters in Prometheus ({@code /q/metrics}), prefixed {@code echostream_findings_}. Every series of one
 * meter carries the same tag keys (Prometheus requires it), hence reason "none" where there is none.
 */
@Singleton
class MicrometerDeliveryMetrics implements DeliveryMetrics {

    private final MeterRegistry registry;

    MicrometerDeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void delivered(String transport, Duration took) {
        registry.counter("echostream.findings.deliveries", "outcome", "delivered", "reason", "none").increment();
        Timer.builder("echostream.findings.send").tag("transport", transport).description("time to send one study's SR and KOS")
                .register(registry).record(took);
    }

    @Override
    public void retrying(String reasonCode) {
        registry.counter("echostream.findings.deliveries", "outcome", "retrying", "reason", reasonCode).increment();
    }

    @Override
    public void failed(String reasonCode) {
        registry.counter("echostream.findings.deliveries", "outcome", "failed", "reason", reasonCode).increment();
    }

    @Override
    public void alreadyDelivered() {
        registry.counter("echostream.findings.deliveries", "outcome", "already_delivered", "reason", "none").increment();
    }
}

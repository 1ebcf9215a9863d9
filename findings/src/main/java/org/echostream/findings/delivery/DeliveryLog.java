package org.echostream.findings.delivery;

import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.FindingsDelivery;

/**
 * Where delivery states and dead letters are recorded (the findings-deliveries topic and the service's dead-letter
 * topic). {@link #record} returns only once the record is durable: nothing is sent before its SENDING record is.
 */
public interface DeliveryLog {

    /** @throws DeliveryLogException when the record could not be made durable (broker down, producer fenced) */
    void record(FindingsDelivery delivery);

    void deadLetter(DeadLetter letter);

    /** The log could not record a delivery state: the send it guards must not happen. */
    final class DeliveryLogException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DeliveryLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

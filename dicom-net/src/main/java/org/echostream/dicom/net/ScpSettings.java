package org.echostream.dicom.net;

import java.time.Duration;
import java.util.Set;

/**
 * @param aeTitle                our Application Entity title (called AE)
 * @param bindAddress            address the SCP listens on
 * @param port                   TCP port (0 picks a free one)
 * @param allowedCallingAeTitles calling AE titles accepted; empty accepts any
 * @param maxAssociations        associations served at once; more are rejected as a transient local limit
 * @param maxPduLength           largest P-DATA PDU we accept, announced to the peer
 * @param idleTimeout            silence after which an association is aborted
 * @param maxInstanceBytes       largest data set accepted in one C-STORE
 * @param limits                 timers and per-peer limits against peers that hold the SCP
 * @param storageClasses         storage SOP classes accepted for C-STORE (Verification is always accepted)
 * @param transferSyntaxes       transfer syntaxes accepted for them; a context proposing none of these is refused at negotiation
 *                               (result 4), so the sender can offer another instead of storing what cannot be read
 */
public record ScpSettings(String aeTitle, String bindAddress, int port, Set<String> allowedCallingAeTitles, int maxAssociations,
                          int maxPduLength, Duration idleTimeout, long maxInstanceBytes, ScpLimits limits, Set<String> storageClasses,
                          Set<String> transferSyntaxes) {

    public ScpSettings {
        if (aeTitle == null || aeTitle.isBlank() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1 to 16 characters, got '" + aeTitle + "'");
        }
        allowedCallingAeTitles = Set.copyOf(allowedCallingAeTitles);
        storageClasses = Set.copyOf(storageClasses);
        transferSyntaxes = Set.copyOf(transferSyntaxes);
        if (transferSyntaxes.isEmpty()) {
            throw new IllegalArgumentException("the SCP must accept at least one transfer syntax");
        }
        if (limits == null) {
            throw new IllegalArgumentException("SCP limits are required");
        }
        if (maxAssociations <= 0) {
            throw new IllegalArgumentException("max associations must be positive, got " + maxAssociations);
        }
        if (maxPduLength < 4096) {
            throw new IllegalArgumentException("max PDU length " + maxPduLength + " is below 4096");
        }
    }
}

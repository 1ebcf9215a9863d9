package org.echostream.dicom.net;

import java.time.Duration;

/**
 * The timers and counts that keep hostile or broken peers from holding the SCP (PS3.8 9.1.5 ARTIM and
 * local limits). The defaults of the service are declared once, in {@code IngestConfig.Scp}.
 *
 * @param associationRequestTimeout ARTIM: longest time from connect to a complete A-ASSOCIATE-RQ; then the connection is closed
 * @param writeTimeout              longest a write to the peer may block (a peer that stops reading); then the association is dropped
 * @param maxLifetime               longest an association may last from acceptance; then it is aborted
 * @param maxPerCallingAe           associations one calling AE title may hold at once; more are rejected (transient, local limit)
 * @param maxPerAddress             associations one remote address may hold at once; more are rejected (transient, local limit)
 * @param maxPendingConnections     connections not yet associated (waiting for their A-ASSOCIATE-RQ) held at once; more are closed
 */
public record ScpLimits(Duration associationRequestTimeout, Duration writeTimeout, Duration maxLifetime, int maxPerCallingAe,
                        int maxPerAddress, int maxPendingConnections) {

    public ScpLimits {
        for (Duration d : new Duration[] {associationRequestTimeout, writeTimeout, maxLifetime}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("SCP timers must be positive: ARTIM " + associationRequestTimeout + ", write "
                        + writeTimeout + ", lifetime " + maxLifetime);
            }
        }
        if (maxPerCallingAe <= 0 || maxPerAddress <= 0 || maxPendingConnections <= 0) {
            throw new IllegalArgumentException("SCP association limits must be positive: per calling AE " + maxPerCallingAe
                    + ", per address " + maxPerAddress + ", pending connections " + maxPendingConnections);
        }
    }
}

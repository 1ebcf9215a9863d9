package org.echostream.ingest.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Gives the service under test a free port for its DICOM SCP (tests never use fixed ports). */
public final class ScpPortTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of("echostream.scp.port", String.valueOf(Peers.freePort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // nothing started
    }
}

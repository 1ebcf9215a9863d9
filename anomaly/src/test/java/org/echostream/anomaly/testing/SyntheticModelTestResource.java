package org.echostream.anomaly.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Points a {@code @QuarkusTest} at a freshly written synthetic model release and its own streams state folder. */
public final class SyntheticModelTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "anomaly-quarkus-test-");
            Path model = SyntheticRelease.write(base.resolve("model"));
            return Map.of("echostream.model.dir", model.toString(),
                    "echostream.model.release-sha256", SyntheticRelease.pinOf(model),
                    "kafka-streams.state.dir", base.resolve("streams").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the folder lives under target/ and goes with the next clean
    }
}

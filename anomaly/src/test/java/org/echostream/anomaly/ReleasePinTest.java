package org.echostream.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.echostream.contracts.model.ModelManifest;
import org.junit.jupiter.api.Test;

/** The pin this build ships with is the committed model release, so `make run` starts on it. */
class ReleasePinTest {

    static final Path RELEASE_MANIFEST = Path.of("../model/release/manifest.json");

    @Test
    void the_pinned_release_digest_is_the_committed_release() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        assertThat(properties.getProperty(ModelManifest.PIN_KEY))
                .as("model/release/manifest.json changed: a new release is served only once it is pinned; set %s=%s in "
                        + "embedder's and anomaly's src/main/resources/application.properties", ModelManifest.PIN_KEY,
                        ModelManifest.sha256(RELEASE_MANIFEST))
                .isEqualTo(ModelManifest.sha256(RELEASE_MANIFEST));
    }
}

package org.echostream.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.model.ModelManifest;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationHealthCheckTest {

    @TempDir
    Path dir;

    @Test
    void calibrated_is_ready_and_names_the_calibration_by_sha256() {
        Path release = SyntheticRelease.write(dir.resolve("model"));
        HealthCheckResponse health = new CalibrationHealthCheck(
                TopologyProducer.loadCalibration(release, SyntheticRelease.pinOf(release), 0.99)).call();
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(health.getData().orElseThrow()).containsEntry("calibrationSha256", ModelManifest.sha256(release.resolve("calibration.json")));
    }

    @Test
    void a_release_without_a_calibration_is_not_ready_and_says_why() {
        HealthCheckResponse health = new CalibrationHealthCheck(
                TopologyProducer.loadCalibration(dir.resolve("nothing-here"), "0".repeat(64), 0.99)).call();
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(health.getData().orElseThrow().get("reason").toString()).contains("manifest.json is missing");
    }

    @Test
    void a_calibration_that_fails_its_checksum_or_the_pin_is_not_ready() throws Exception {
        Path release = SyntheticRelease.write(dir.resolve("model"));
        String pin = SyntheticRelease.pinOf(release);
        Files.writeString(release.resolve("calibration.json"), Files.readString(release.resolve("calibration.json")).replace("0.", "1."));
        ModelCalibration altered = TopologyProducer.loadCalibration(release, pin, 0.99);
        assertThat(new CalibrationHealthCheck(altered).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(((ModelCalibration.NotCalibrated) altered).reason()).contains("calibration.json").contains("sha256");

        // Another calibration with a manifest that vouches for it: consistent, but not the pinned release.
        var other = SyntheticRelease.calibration();
        ((com.fasterxml.jackson.databind.node.ObjectNode) other.get("surprise")).put("ln_eps", 1e-3);
        SyntheticRelease.write(release, other);
        ModelCalibration unpinned = TopologyProducer.loadCalibration(release, pin, 0.99);
        assertThat(new CalibrationHealthCheck(unpinned).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(((ModelCalibration.NotCalibrated) unpinned).reason()).contains("echostream.model.release-sha256 pins " + pin);
    }
}

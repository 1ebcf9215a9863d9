package org.echostream.ingest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.ingest.dicom.DicomLimits;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.dicom.net.ScpLimits;

/** Where the test inputs are, and the settings tests share. */
public final class TestFiles {

    /** The real vendor samples committed with the project (a copy of ../shared/dicom-samples). */
    public static final Path SAMPLES = Path.of("..", "testdata", "dicom-samples").toAbsolutePath().normalize();
    /** The test files Debian's python3-pydicom ships. */
    public static final Path PYDICOM = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    public static final Path ECHO_CINE = SAMPLES.resolve("US-PAL-8-10x-echo.dcm");
    public static final DicomLimits LIMITS = new DicomLimits(512L << 20, 512L << 20, 5000, 256L << 20, 64L << 20, 1536L << 20, 16);

    /** The SCP timers and limits the service defaults to (IngestConfig.Scp). */
    public static final ScpLimits SCP_LIMITS = new ScpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofHours(1), 6, 6, 128);

    private TestFiles() {
    }

    public static List<Path> sampleFiles() {
        return list(SAMPLES).stream().filter(p -> p.toString().endsWith(".dcm")).toList();
    }

    /** Every file under a folder, recursively, sorted. */
    public static List<Path> list(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ByteBuffer read(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test model: 16 frames of 64x64 at 12 fps, stride 16 (the clip spec of the model release). */
    public static ClipShape shape() {
        return ClipShape.of(ModelManifest.read(resource("model/manifest.json")), null);
    }

    /** A short-clip test model (4 frames of 64x64 at 12 fps), so that a 10-frame loop yields clips. */
    public static ClipShape shortShape() {
        return ClipShape.of(ModelManifest.read(resource("model-short/manifest.json")), null);
    }

    public static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getClassLoader().getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

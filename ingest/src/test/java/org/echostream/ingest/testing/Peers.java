package org.echostream.ingest.testing;

import org.echostream.dicom.net.testing.Dcmtk;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Helpers around the real DICOM peers (dcmtk) used by integration tests. */
public final class Peers {

    private Peers() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A copy of {@code file} with new study, series and instance UIDs (dcmodify), so a test's records are its own. */
    public static Path withNewUids(Path file, Path dir) throws IOException {
        Path copy = dir.resolve(UUID.randomUUID() + ".dcm");
        Files.copy(file, copy);
        Dcmtk.Result r = Dcmtk.run(List.of("dcmodify", "-nb", "-gin", "-gse", "-gst", copy.toString()));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("dcmodify failed on " + file + ": " + r.output());
        }
        return copy;
    }

    /** storescu to the SCP; returns the tool's result (exit code 0 when every instance was stored). */
    public static Dcmtk.Result storescu(int port, List<String> options, List<Path> files) {
        List<String> command = new ArrayList<>(List.of("storescu", "-aec", ScpHarness.AE, "-aet", "STORESCU"));
        command.addAll(options);
        command.add("127.0.0.1");
        command.add(String.valueOf(port));
        files.forEach(f -> command.add(f.toString()));
        return Dcmtk.run(command);
    }

    /** Runs a dcmtk tool, returning its exit code. */
    public static int run(List<String> command) {
        return Dcmtk.run(command).exitCode();
    }

    /** The SOP Instance UID of a file, via the meta information. */
    public static String sopInstanceUid(Path file) throws Exception {
        return TestScu.Instance.of(Files.readAllBytes(file)).sopInstanceUid();
    }
}

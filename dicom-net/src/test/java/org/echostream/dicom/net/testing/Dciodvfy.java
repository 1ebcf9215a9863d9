package org.echostream.dicom.net.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dicom3tools' validator. It exits 0 even when it prints {@code Error} lines, so the verdict is read from its output.
 */
public final class Dciodvfy {

    /** @param output everything it printed; @param errors its lines that start with "Error" */
    public record Verdict(String output, List<String> errors) {
    }

    private Dciodvfy() {
    }

    public static Verdict check(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("dciodvfy did not finish within 60 s on " + file);
        }
        String output = new String(out, StandardCharsets.UTF_8);
        return new Verdict(output, output.lines().filter(l -> l.startsWith("Error")).toList());
    }

    public static Verdict check(byte[] part10, Path dir, String name) throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        Files.write(file, part10);
        return check(file);
    }
}

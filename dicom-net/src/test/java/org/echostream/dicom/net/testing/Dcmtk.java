package org.echostream.dicom.net.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs dcmtk's command-line tools (Debian package dcmtk) as the reference in tests. */
public final class Dcmtk {

    /** What dcmdump says of an image: frames, rows, columns. */
    public record ImageSize(int frames, int rows, int columns) {
    }

    private static final Pattern ELEMENT = Pattern.compile("^\\((0028,00(08|10|11))\\) \\w\\w (?:\\[)?(\\d+)");

    private Dcmtk() {
    }

    /** Frame count and size as dcmdump reads them, or null when dcmdump cannot read the file or finds no image. */
    public static ImageSize size(Path file) {
        Result r = run(List.of("dcmdump", "-q", "+P", "0028,0008", "+P", "0028,0010", "+P", "0028,0011", file.toString()));
        if (r.exitCode != 0) {
            return null;
        }
        int frames = 1;
        int rows = -1;
        int columns = -1;
        for (String line : r.output.split("\n")) {
            Matcher m = ELEMENT.matcher(line.trim());
            if (m.find()) {
                int value = Integer.parseInt(m.group(3));
                switch (m.group(1)) {
                    case "0028,0008" -> frames = value;
                    case "0028,0010" -> rows = value;
                    default -> columns = value;
                }
            }
        }
        return rows < 0 || columns < 0 ? null : new ImageSize(frames, rows, columns);
    }

    /** Runs a tool; fails the test when it does not exist. */
    public static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " cannot run (is dcmtk installed? run bin/bootstrap): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Result(int exitCode, String output) {
    }
}

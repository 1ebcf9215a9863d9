package org.echostream.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One broker per test JVM, started on first use and stopped by a shutdown hook, so that every test class
 * of a module shares it (a broker start costs seconds on two cores). Tests isolate themselves with their
 * own topic names or consumer groups. Tests that must stop or restart a broker start their own
 * {@link LocalKafka} instead.
 */
public final class SharedLocalKafka {

    private static LocalKafka broker;

    private SharedLocalKafka() {
    }

    public static synchronized LocalKafka get() {
        if (broker == null) {
            Path dataDir = testDataDir();
            LocalKafka started = new LocalKafka(LocalKafka.Config.defaults(dataDir)).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteRecursively(dataDir);
            }, "local-kafka-shutdown"));
            broker = started;
        }
        return broker;
    }

    public static String bootstrapServers() {
        return get().bootstrapServers();
    }

    /** A fresh folder under the module's target/ when run by Maven, else under the temp folder. */
    public static Path testDataDir() {
        try {
            Path base = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base.toAbsolutePath(), "kafka-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover folder under target/ is removed by the next clean
        }
    }
}

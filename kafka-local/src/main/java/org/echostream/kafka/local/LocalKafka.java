package org.echostream.kafka.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka broker in KRaft mode (combined broker and controller), run as a child JVM
 * from the {@code kafka_2.13} jars on Maven Central. Used by {@code make run} and by integration tests.
 *
 * <p>Single-node settings: every replication factor is 1 and the transaction state log's min ISR is 1,
 * otherwise transactions hang. A single node gives no redundancy: {@code acks=all} means "written to
 * this one broker's page cache", and losing its disk loses the data.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final String CLASSPATH_RESOURCE = "echostream/kafka-broker.classpath";
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private final Config config;
    private Process process;

    /**
     * @param port           client listener port on 127.0.0.1 (0 picks a free port)
     * @param controllerPort KRaft controller port (0 picks a free port)
     * @param dataDir        broker data and logs; kept between runs unless the caller deletes it
     * @param heap           child JVM maximum heap, e.g. "512m"
     * @param startTimeout   how long to wait for the broker to answer
     * @param overrides      extra or changed broker properties
     */
    public record Config(int port, int controllerPort, Path dataDir, String heap, Duration startTimeout,
                         Map<String, String> overrides) {
        public Config {
            overrides = Map.copyOf(overrides);
        }

        public static Config defaults(Path dataDir) {
            return new Config(0, 0, dataDir, "768m", Duration.ofSeconds(90), Map.of());
        }

        public Config withPort(int newPort) {
            return new Config(newPort, controllerPort, dataDir, heap, startTimeout, overrides);
        }

        public Config withOverrides(Map<String, String> more) {
            Map<String, String> merged = new LinkedHashMap<>(overrides);
            merged.putAll(more);
            return new Config(port, controllerPort, dataDir, heap, startTimeout, merged);
        }
    }

    private int port;
    private int controllerPort;

    public LocalKafka(Config config) {
        this.config = config;
    }

    /** Formats storage on first use, starts the broker and waits until it answers an admin request. */
    public synchronized LocalKafka start() {
        if (process != null) {
            throw new IllegalStateException("broker already started at " + bootstrapServers());
        }
        try {
            port = config.port() == 0 ? freePort() : config.port();
            controllerPort = config.controllerPort() == 0 ? freePort() : config.controllerPort();
            Path dataDir = config.dataDir().toAbsolutePath();
            // Topics hold patient data (the studies topic, the audit trail): only this user may read the broker's files.
            Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            Path properties = dataDir.resolve("server.properties");
            writeProperties(properties, brokerProperties(dataDir));
            Path log4j = dataDir.resolve("log4j2.properties");
            writeLog4j(log4j, dataDir);
            String classpath = brokerClasspath();

            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                String clusterId = Uuid.randomUuid().toString();
                runToCompletion(List.of(javaBinary(), "-Xmx256m", "-Dlog4j2.configurationFile=" + log4j,
                        "-cp", classpath, "kafka.tools.StorageTool", "format",
                        "-t", clusterId, "-c", properties.toString()), dataDir.resolve("format.out"));
            }
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms128m", "-Xmx" + config.heap(),
                    "-XX:+UseG1GC", "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j,
                    "-cp", classpath, "kafka.Kafka", properties.toString()));
            Path out = dataDir.resolve("broker.out");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .start();
            awaitReady(out);
            LOG.info("Kafka broker (KRaft, single node) ready at {} with data in {}", bootstrapServers(), dataDir);
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the local Kafka broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the local Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return config.dataDir().toAbsolutePath();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker with SIGTERM (a controlled shutdown), and kills it only if it does not stop in time. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("Kafka broker did not stop within {}s, killing it", SHUTDOWN_GRACE.toSeconds());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LOG.info("Kafka broker at {} stopped (exit {})", bootstrapServers(), process.isAlive() ? "?" : process.exitValue());
        process = null;
    }

    Map<String, String> brokerProperties(Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("logs").toString());
        // One node: nothing can be replicated, and a min ISR above 1 would block every acks=all write.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions: faster start on two cores, plenty for one machine.
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.num.partitions", "6");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics come from the catalogue; a typo must fail instead of creating a stray topic.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // Clip-level topics allow 8 MiB records (see Topics); the broker-wide limit must not be lower.
        p.put("message.max.bytes", String.valueOf(10 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(10 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(128 * 1024 * 1024));
        p.putAll(config.overrides());
        return p;
    }

    private void awaitReady(Path out) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(config.startTimeout());
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("broker exited with code " + process.exitValue() + " during start; see " + out
                        + "\n" + tail(out));
            }
            if (portOpen()) {
                try (Admin admin = Admin.create(props)) {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // broker socket open but metadata not ready: try again
                }
            }
            Thread.sleep(250);
        }
        throw new IOException("broker did not answer within " + config.startTimeout().toSeconds() + "s; see " + out + "\n" + tail(out));
    }

    private boolean portOpen() {
        try (var socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void runToCompletion(List<String> command, Path out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("'" + String.join(" ", command.subList(0, 2)) + " ... format' did not finish in 120s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("formatting Kafka storage failed with exit code " + p.exitValue() + ":\n" + tail(out));
        }
    }

    static String brokerClasspath() throws IOException {
        try (InputStream in = LocalKafka.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IOException(CLASSPATH_RESOURCE + " is missing: build the kafka-local module with Maven first");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            String firstJar = classpath.split(java.io.File.pathSeparator)[0];
            if (!Files.exists(Path.of(firstJar))) {
                throw new IOException("broker classpath points to " + firstJar + ", which does not exist: rebuild kafka-local");
            }
            return classpath;
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(c -> c.endsWith("java"))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void writeProperties(Path file, Map<String, String> values) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("# written by echostream kafka-local; edits are overwritten at the next start\n");
            for (var e : values.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
    }

    private static void writeLog4j(Path file, Path dataDir) throws IOException {
        String logFile = dataDir.resolve("broker.log").toString();
        Files.writeString(file, String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.file.ref=file",
                "appender.file.type=RollingFile",
                "appender.file.name=file",
                "appender.file.fileName=" + logFile,
                "appender.file.filePattern=" + logFile + ".%i",
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=%d{ISO8601} %-5p [%c{1}] %m%n",
                "appender.file.policies.type=Policies",
                "appender.file.policies.size.type=SizeBasedTriggeringPolicy",
                "appender.file.policies.size.size=20MB",
                "appender.file.strategy.type=DefaultRolloverStrategy",
                "appender.file.strategy.max=3",
                "logger.kafka.name=kafka",
                "logger.kafka.level=INFO",
                "logger.state.name=state.change.logger",
                "logger.state.level=WARN",
                ""));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}

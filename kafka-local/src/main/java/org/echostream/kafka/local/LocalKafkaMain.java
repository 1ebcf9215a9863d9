package org.echostream.kafka.local;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/echostream kafka}: runs the local broker in the foreground until Ctrl-C.
 * Prints {@code READY <bootstrap>} on stdout once it answers, for scripts that wait on it.
 */
public final class LocalKafkaMain {

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 9092;
        Path dataDir = Path.of(".data", "kafka");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> dataDir = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("""
                            usage: echostream kafka [--port PORT] [--data DIR]
                              Runs a single-node Apache Kafka broker (KRaft) on 127.0.0.1 until Ctrl-C.
                              --port PORT  client port (default 9092)
                              --data DIR   data folder, kept between runs (default .data/kafka)""");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        LocalKafka broker = new LocalKafka(LocalKafka.Config.defaults(dataDir).withPort(port));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "local-kafka-shutdown"));
        broker.start();
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}

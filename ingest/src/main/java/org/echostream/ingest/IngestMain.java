package org.echostream.ingest;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;

/**
 * One application, four uses: no argument serves (SCP, STOW-RS, batch jobs, health and metrics); {@code ingest PATH...}
 * imports files through the same pipeline and exits; {@code inspect PATH...} decodes without Kafka and exits;
 * {@code backfill --node NAME ...} pulls studies from a PACS and exits.
 */
@QuarkusMain
public class IngestMain implements QuarkusApplication {

    @Inject
    InspectCommand inspect;

    @Inject
    ImportCommand importer;

    @Inject
    BackfillCommand backfill;

    public static void main(String... args) {
        if (args.length > 0) {
            // A command runs beside the service: no SCP port, no job consumer; its output is stdout, its logs stderr.
            System.setProperty("echostream.command", args[0]);
            System.setProperty("echostream.scp.enabled", "false");
            System.setProperty("echostream.jobs.enabled", "false");
            System.setProperty("quarkus.log.console.stderr", "true");
            System.setProperty("quarkus.log.category.\"io.quarkus\".level", "WARN");
            if (args[0].equals("inspect")) {
                System.setProperty("echostream.kafka.create-topics", "false");
            }
        }
        Quarkus.run(IngestMain.class, args);
    }

    @Override
    public int run(String... args) {
        if (args.length == 0) {
            Quarkus.waitForExit();
            return 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        return switch (args[0]) {
            case "inspect" -> inspect.run(rest);
            case "ingest" -> importer.run(rest);
            case "backfill" -> backfill.run(rest);
            default -> {
                System.err.println("unknown command " + args[0] + ": use ingest PATH..., inspect PATH... or backfill --node NAME ... (no argument serves)");
                yield 2;
            }
        };
    }
}

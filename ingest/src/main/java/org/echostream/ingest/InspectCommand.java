package org.echostream.ingest;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.pipeline.InspectionReport;
import org.echostream.ingest.pipeline.InstanceProcessor;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.echostream.ingest.pipeline.Provenance;

/** {@code inspect PATH...}: decodes files (folders walked) without Kafka or spool, one JSON line per file on stdout. */
@Singleton
class InspectCommand {

    private final InstanceProcessor processor;
    private final Clock clock;

    InspectCommand(InstanceProcessor processor, Clock clock) {
        this.processor = processor;
        this.clock = clock;
    }

    int run(List<String> args) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            System.err.println("usage: bin/echostream inspect PATH...   decode DICOM files (folders are walked) without Kafka;\n"
                    + "  one JSON line per file: sopInstanceUid, transfer syntax, photometric, frames, size, frame time,\n"
                    + "  cropping region, verdict (clips / not-scored / rejected) and reason. Clip shape from echostream.model.dir.");
            return args.isEmpty() ? 2 : 0;
        }
        PrintStream out = System.out;
        int missing = 0;
        for (String arg : args) {
            Path root = Path.of(arg);
            if (!Files.exists(root)) {
                System.err.println("inspect: no such file or folder: " + arg);
                missing++;
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    out.println(InspectionReport.line(file.toString(), inspect(file), processor.shape()));
                }
            } catch (IOException e) {
                System.err.println("inspect: cannot walk " + arg + ": " + e.getMessage());
                missing++;
            }
        }
        out.flush();
        return missing == 0 ? 0 : 1;
    }

    private ProcessedInstance inspect(Path file) {
        Provenance provenance = Provenance.file("inspect", clock.instant());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            return processor.process(bytes, provenance, null);
        } catch (OutOfMemoryError e) {
            return processor.rejectUnspooled(RejectReason.DECODE_OUT_OF_MEMORY, "processing the decoded loop ran out of memory",
                    provenance, null, 0);
        } catch (IOException e) {
            return processor.rejectUnspooled(RejectReason.UNREADABLE_FILE, "the file cannot be read (" + e.getClass().getSimpleName() + ")",
                    provenance, null, 0);
        }
    }
}

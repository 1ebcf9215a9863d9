package org.echostream.ingest.pacs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import org.echostream.ingest.dicom.DicomInputException;
import org.echostream.ingest.dicom.DicomScanner;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.SpoolFullException;
import org.echostream.ingest.pipeline.SpooledFile;

/**
 * Takes an instance that arrives as a byte stream (a C-GET sub-operation, a WADO-RS or STOW-RS part) into the
 * pipeline with the same durability rule as the SCP: written to the spool, forced to disk, processed and its
 * records committed before the result says it is safe. An instance too large is read to its end and dropped.
 */
public final class InstanceReceiver {

    private final Ingestor ingestor;
    private final Clock clock;
    private final long maxInstanceBytes;

    public InstanceReceiver(Ingestor ingestor, Clock clock, long maxInstanceBytes) {
        this.ingestor = ingestor;
        this.clock = clock;
        this.maxInstanceBytes = maxInstanceBytes;
    }

    public Ingestor ingestor() {
        return ingestor;
    }

    public Clock clock() {
        return clock;
    }

    /** An instance being written; {@link #complete} ingests it, {@link #close} without it discards it. */
    public final class Receipt implements AutoCloseable {
        private final Spool.Incoming incoming;
        private IngestResult early;
        private long bytes;

        private Receipt(Spool.Incoming incoming, IngestResult early) {
            this.incoming = incoming;
            this.early = early;
        }

        /** Where the bytes go; after an overflow or a spool error the rest is dropped and the result says why. */
        public OutputStream stream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes += len;
                    if (early != null) {
                        return;
                    }
                    try {
                        incoming.write(b, off, len);
                    } catch (Spool.FileTooLargeException e) {
                        early = new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, e.getMessage());
                    } catch (IOException e) {
                        early = new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "spool write failed: " + e.getMessage());
                    }
                }
            };
        }

        public long bytes() {
            return bytes;
        }

        /**
         * Makes the instance durable and ingests it.
         *
         * @param announcedSopUid the SOP Instance UID the sender announced, or null to read it from the file meta
         */
        public IngestResult complete(Provenance provenance, String announcedSopUid) {
            return complete(provenance, announcedSopUid, Ingestor.Admission.ANY);
        }

        /** As {@link #complete(Provenance, String)}, publishing only what {@code admission} admits. */
        public IngestResult complete(Provenance provenance, String announcedSopUid, Ingestor.Admission admission) {
            if (early != null) {
                return early;
            }
            SpooledFile spooled;
            try {
                spooled = incoming.commit();
            } catch (IOException e) {
                return new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "spool write failed: " + e.getMessage());
            }
            String sop = announcedSopUid;
            if (sop == null) {
                try {
                    ByteBuffer mapped = Spool.map(spooled);
                    sop = DicomScanner.meta(mapped).sopInstanceUid();
                } catch (DicomInputException | IOException e) {
                    sop = null;
                }
            }
            return ingestor.ingest(spooled, provenance, sop, admission);
        }

        @Override
        public void close() {
            try {
                incoming.close();
            } catch (IOException e) {
                // an incomplete temporary file is removed at the next start
            }
        }
    }

    /** @throws SpoolFullException when the spool keeps its free space; nothing was written */
    public Receipt begin() throws SpoolFullException, IOException {
        return new Receipt(ingestor.spool().begin(maxInstanceBytes), null);
    }

    /** Receives a whole stream (a multipart part) and ingests it. */
    public Received receive(InputStream in, Provenance provenance, Ingestor.Admission admission) throws IOException {
        Receipt receipt;
        try {
            receipt = begin();
        } catch (SpoolFullException e) {
            long drained = in.transferTo(OutputStream.nullOutputStream());
            return new Received(new IngestResult.Refused(IngestResult.Refusal.SPOOL_FULL, e.getMessage()), drained);
        }
        try (receipt) {
            in.transferTo(receipt.stream());
            return new Received(receipt.complete(provenance, null, admission), receipt.bytes());
        }
    }

    /** What receiving one stream gave. */
    public record Received(IngestResult result, long bytes) {
    }
}

package org.echostream.ingest.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.echostream.ingest.dicom.DicomInputException;
import org.echostream.ingest.dicom.DicomScanner;
import org.echostream.ingest.dicom.RejectReason;

/**
 * One instance from arrival to acknowledged records, the same for C-STORE, STOW-RS, backfill and folder import:
 * skip what the ledger knows, spool durably, process, publish in one transaction (with its study's completeness
 * status), then record it in the ledger. A result other than {@link IngestResult.Refused} means the instance is
 * safe to acknowledge.
 */
public final class Ingestor {

    /** Completeness windows for callers that do not configure them (tests, benchmarks). */
    public static final StudyCompleteness.Rules DEFAULT_COMPLETENESS = new StudyCompleteness.Rules(Duration.ofSeconds(30), Duration.ofMinutes(5));

    /** Told about every result, e.g. to count it in metrics and log it. */
    public interface Listener {
        void onResult(IngestResult result, Provenance provenance, long nanos);
    }

    /**
     * Decides, once an instance is processed and before anything is published, whether the sender's request may
     * take it (a STOW-RS to /studies/{uid} takes only that study).
     */
    @FunctionalInterface
    public interface Admission {
        /** @return null to admit, else why not (the {@link IngestResult.Declined}) */
        IngestResult.Declined refuse(ProcessedInstance instance);

        Admission ANY = instance -> null;
    }

    private final InstanceProcessor processor;
    private final Spool spool;
    private final InstancePublisher publisher;
    private final InstanceLedger ledger;
    private final long maxFileBytes;
    private final Listener listener;
    /** Decoding holds a whole loop in memory: this many instances are processed at once, the others wait. */
    private final Semaphore processing;
    private final StudyCompleteness studies;

    public Ingestor(InstanceProcessor processor, Spool spool, InstancePublisher publisher, InstanceLedger ledger, long maxFileBytes,
                    Listener listener) {
        this(processor, spool, publisher, ledger, maxFileBytes, listener, 1);
    }

    public Ingestor(InstanceProcessor processor, Spool spool, InstancePublisher publisher, InstanceLedger ledger, long maxFileBytes,
                    Listener listener, int concurrentInstances) {
        this(processor, spool, publisher, ledger, maxFileBytes, listener, concurrentInstances, new StudyCompleteness(DEFAULT_COMPLETENESS));
    }

    public Ingestor(InstanceProcessor processor, Spool spool, InstancePublisher publisher, InstanceLedger ledger, long maxFileBytes,
                    Listener listener, int concurrentInstances, StudyCompleteness studies) {
        this.studies = studies;
        this.processor = processor;
        this.spool = spool;
        this.publisher = publisher;
        this.ledger = ledger;
        this.maxFileBytes = maxFileBytes;
        this.listener = listener;
        this.processing = new Semaphore(concurrentInstances, true);
    }

    public Spool spool() {
        return spool;
    }

    public InstanceLedger ledger() {
        return ledger;
    }

    public StudyCompleteness studies() {
        return studies;
    }

    public InstancePublisher publisher() {
        return publisher;
    }

    /**
     * An instance already written to the spool (C-STORE).
     *
     * @param announcedSopUid the SOP Instance UID the sender announced (C-STORE command or file meta), may be null
     */
    public IngestResult ingest(SpooledFile spooled, Provenance provenance, String announcedSopUid) {
        return ingest(spooled, provenance, announcedSopUid, Admission.ANY);
    }

    /** As {@link #ingest(SpooledFile, Provenance, String)}, publishing only what {@code admission} admits. */
    public IngestResult ingest(SpooledFile spooled, Provenance provenance, String announcedSopUid, Admission admission) {
        long start = System.nanoTime();
        IngestResult result = ingestTimed(spooled, provenance, announcedSopUid, admission);
        listener.onResult(result, provenance, System.nanoTime() - start);
        return result;
    }

    private IngestResult ingestTimed(SpooledFile spooled, Provenance provenance, String announcedSopUid, Admission admission) {
        if (ledger.contains(announcedSopUid)) {
            return new IngestResult.AlreadyIngested(announcedSopUid);
        }
        try {
            processing.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "interrupted while waiting to process");
        }
        try {
            return processAndPublish(spooled, provenance, admission);
        } finally {
            processing.release();
        }
    }

    private IngestResult processAndPublish(SpooledFile spooled, Provenance provenance, Admission admission) {
        ByteBuffer file;
        try {
            file = Spool.map(spooled);
        } catch (IOException e) {
            return new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "cannot read the spooled file back: " + e.getMessage());
        }
        ProcessedInstance processed;
        try {
            processed = processor.process(file, provenance, spooled);
        } catch (RuntimeException e) {
            // a defect, not bad input: the instance is still answered, kept in the spool and dead-lettered for a person
            processed = processor.reject(RejectReason.DECODER_FAILURE, "processing failed unexpectedly (" + e + ")", provenance, spooled);
        } catch (OutOfMemoryError e) {
            // the decoder answers its own allocation failures; this is one in cleaning or clipping, whose buffers are garbage now
            processed = processor.reject(RejectReason.DECODE_OUT_OF_MEMORY, "processing the decoded loop ran out of memory", provenance, spooled);
        }
        String sop = processed.sopInstanceUid();
        if (processed.verdict().verdict() != Verdict.REJECTED && ledger.contains(sop)) {
            return new IngestResult.AlreadyIngested(sop);
        }
        IngestResult.Declined declined = admission.refuse(processed);
        if (declined != null) {
            return declined;
        }
        try {
            publishWithStatus(processed, provenance);
        } catch (InstancePublisher.PublishException | RuntimeException e) {
            return new IngestResult.Refused(IngestResult.Refusal.KAFKA_UNAVAILABLE, e.getMessage());
        }
        if (processed.instance() != null) {
            ledger.record(sop, processed.verdict().verdict());
        }
        return new IngestResult.Published(processed, spooled);
    }

    /** The instance, and the status of its study when it names one, in one transaction. */
    private void publishWithStatus(ProcessedInstance processed, Provenance provenance) throws InstancePublisher.PublishException {
        InstanceRecord record = processed.instance();
        if (record == null) {
            publisher.publish(processed, List.of());
            return;
        }
        studies.onInstance(record.getStudyInstanceUid(), record.getSeriesInstanceUid(), record.getSopInstanceUid(), provenance.session(),
                provenance.receivedAt(), statuses -> publisher.publish(processed, statuses));
    }

    /** A file on disk (folder import): checked, skipped when already ingested, else copied into the spool and ingested. */
    public IngestResult ingestFile(Path path, Provenance provenance) {
        long start = System.nanoTime();
        IngestResult early;
        String announced = null;
        SpooledFile spooled = null;
        try {
            long size = Files.size(path);
            if (size > maxFileBytes) {
                early = rejectEarly(RejectReason.FILE_TOO_LARGE,
                        String.format("file has %,d bytes, more than the %,d accepted", size, maxFileBytes), provenance, null, size);
            } else {
                early = null;
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                    ByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
                    try {
                        announced = DicomScanner.meta(head).sopInstanceUid();
                    } catch (DicomInputException e) {
                        early = rejectEarly(e.reason(), e.getMessage(), provenance, sha256(head), size);
                    }
                }
            }
        } catch (IOException e) {
            early = rejectUnreadable(e, provenance);
        }
        if (early == null && ledger.contains(announced)) {
            early = new IngestResult.AlreadyIngested(announced);
        }
        if (early == null) {
            try {
                spooled = spool.copyOf(path, maxFileBytes);
            } catch (SpoolFullException e) {
                early = new IngestResult.Refused(IngestResult.Refusal.SPOOL_FULL, e.getMessage());
            } catch (IOException e) {
                early = new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "cannot copy the file into the spool: " + e.getMessage());
            }
        }
        if (early != null) {
            listener.onResult(early, provenance, System.nanoTime() - start);
            return early;
        }
        return ingest(spooled, provenance, announced);
    }

    private IngestResult rejectUnreadable(IOException e, Provenance provenance) {
        return rejectEarly(RejectReason.UNREADABLE_FILE, "the file cannot be read (" + e.getClass().getSimpleName() + ")", provenance, null, 0);
    }

    private IngestResult rejectEarly(RejectReason reason, String detail, Provenance provenance, String sha256, long size) {
        ProcessedInstance rejected = processor.rejectUnspooled(reason, detail, provenance, sha256, size);
        try {
            publisher.publish(rejected, List.of());
        } catch (InstancePublisher.PublishException | RuntimeException e) {
            return new IngestResult.Refused(IngestResult.Refusal.KAFKA_UNAVAILABLE, e.getMessage());
        }
        return new IngestResult.RejectedEarly(rejected);
    }

    private static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}

package org.echostream.ingest.pipeline;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import org.echostream.dicom.net.Uid;
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.StudyRecord;
import org.echostream.ingest.dicom.DecodeOutcome;
import org.echostream.ingest.dicom.DicomDecoder;
import org.echostream.ingest.dicom.GrayLoop;
import org.echostream.ingest.dicom.InstanceAttributes;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.ingest.prep.FrameTiming;
import org.echostream.ingest.prep.NotScoredReason;
import org.echostream.ingest.prep.Prep1;
import org.echostream.ingest.prep.PreparedLoop;

/**
 * The pure core of ingest for one instance: decode, judge, clean, cut, and build every record to publish.
 * Used alike by the C-STORE SCP, folder import and {@code inspect}. Never throws on input.
 */
public final class InstanceProcessor {

    private final DicomDecoder decoder;
    private final ClipShape shape;
    private final InstanceClassifier classifier;
    private final Prep1.Settings prep;
    private final RecordFactory records;

    public InstanceProcessor(DicomDecoder decoder, ClipShape shape, InstanceClassifier classifier, Prep1.Settings prep, Clock clock) {
        this.decoder = decoder;
        this.shape = shape;
        this.classifier = classifier;
        this.prep = prep;
        this.records = new RecordFactory(shape, clock);
    }

    public ClipShape shape() {
        return shape;
    }

    /**
     * @param file    the whole Part 10 file
     * @param spooled where the file is kept, or null when it is only inspected
     */
    public ProcessedInstance process(ByteBuffer file, Provenance provenance, SpooledFile spooled) {
        DecodeOutcome outcome = decoder.decode(file);
        InstanceAttributes attributes;
        InstanceVerdict verdict;
        GrayLoop loop = null;
        if (outcome instanceof DecodeOutcome.Rejected rejected) {
            attributes = rejected.attributes();
            verdict = new InstanceVerdict.Rejected(rejected.reason(), rejected.detail());
        } else if (outcome instanceof DecodeOutcome.WithoutPixels withoutPixels) {
            attributes = withoutPixels.attributes();
            verdict = new InstanceVerdict.NotScored(NotScoredReason.NO_PIXEL_DATA, "the object has no Pixel Data: not an image");
        } else {
            DecodeOutcome.Decoded decoded = (DecodeOutcome.Decoded) outcome;
            attributes = decoded.attributes();
            loop = decoded.loop();
            verdict = null;
        }
        if (attributes != null && !(verdict instanceof InstanceVerdict.Rejected)) {
            InstanceVerdict.Rejected identity = checkIdentity(attributes);
            if (identity != null) {
                verdict = identity;
            }
        }
        if (verdict == null) {
            verdict = classifier.classify(attributes);
        }
        if (verdict == null) {
            Prep1.Result prepared = Prep1.prepare(loop, attributes, shape, prep);
            verdict = prepared instanceof Prep1.Result.Prepared p
                    ? new InstanceVerdict.Clips(p.loop())
                    : new InstanceVerdict.NotScored(((Prep1.Result.NotScored) prepared).reason(), ((Prep1.Result.NotScored) prepared).detail());
        }
        InstanceFacts facts = facts(attributes, outcome.transferSyntaxUid(), verdict);
        boolean identified = attributes != null && checkIdentity(attributes) == null;
        StudyRecord study = identified ? records.study(attributes, provenance) : null;
        InstanceRecord instance = identified ? records.instance(attributes, facts, verdict, provenance, spooled) : null;
        List<Clip> clips = verdict instanceof InstanceVerdict.Clips c ? records.clips(attributes, c.loop(), provenance, spooled) : List.of();
        DeadLetter deadLetter = verdict instanceof InstanceVerdict.Rejected r
                ? records.deadLetter(r, safeUid(facts.sopInstanceUid()), provenance, spooled) : null;
        return new ProcessedInstance(verdict, facts, study, instance, clips, deadLetter);
    }

    /**
     * A file refused before it was spooled (not DICOM, too large, unreadable): only its dead letter is published.
     *
     * @param sha256 digest of the file when it was read, else null
     */
    public ProcessedInstance rejectUnspooled(RejectReason reason, String detail, Provenance provenance, String sha256, long bytes) {
        InstanceVerdict.Rejected verdict = new InstanceVerdict.Rejected(reason, detail);
        DeadLetter letter = records.deadLetter(verdict, null, provenance, null);
        letter.setPayloadSha256(sha256);
        letter.setPayloadBytes(bytes);
        return new ProcessedInstance(verdict, InstanceFacts.NOTHING, null, null, List.of(), letter);
    }

    /** A spooled file that could not be processed at all: only its dead letter, pointing at the spooled copy. */
    public ProcessedInstance reject(RejectReason reason, String detail, Provenance provenance, SpooledFile spooled) {
        InstanceVerdict.Rejected verdict = new InstanceVerdict.Rejected(reason, detail);
        return new ProcessedInstance(verdict, InstanceFacts.NOTHING, null, null, List.of(), records.deadLetter(verdict, null, provenance, spooled));
    }

    private static InstanceVerdict.Rejected checkIdentity(InstanceAttributes a) {
        String[][] uids = {{"Study Instance UID", a.studyInstanceUid()}, {"Series Instance UID", a.seriesInstanceUid()},
                {"SOP Instance UID", a.sopInstanceUid()}};
        for (String[] uid : uids) {
            if (uid[1] == null) {
                return new InstanceVerdict.Rejected(RejectReason.MISSING_UIDS, uid[0] + " is missing: the instance cannot be identified");
            }
            if (!Uid.isValid(uid[1])) { // PS3.5 9.1, the rule findings applies to the same UIDs
                return new InstanceVerdict.Rejected(RejectReason.INVALID_UID,
                        uid[0] + " of " + uid[1].length() + " characters is not a UID (digits and dots, at most 64)");
            }
        }
        return null;
    }

    private static InstanceFacts facts(InstanceAttributes a, String transferSyntaxUid, InstanceVerdict verdict) {
        if (a == null) {
            return new InstanceFacts(null, null, null, null, transferSyntaxUid, null, null, null, null, null, null, null, null, 0);
        }
        var pixels = a.pixels();
        PreparedLoop loop = verdict instanceof InstanceVerdict.Clips c ? c.loop() : null;
        FrameTiming timing = loop != null ? loop.timing() : pixels.frames() > 1 ? FrameTiming.of(a.timing(), pixels.frames()) : null;
        return new InstanceFacts(safeUid(a.studyInstanceUid()), safeUid(a.seriesInstanceUid()), safeUid(a.sopInstanceUid()),
                safeUid(a.sopClassUid()), transferSyntaxUid, pixels.photometric(),
                pixels.frames(), pixels.rows(), pixels.columns(),
                timing == null ? null : timing.frameTimeMillis(), timing == null ? null : timing.source(),
                loop == null ? null : loop.region(), loop == null ? null : loop.heartRate(), loop == null ? 0 : loop.clips().size());
    }

    private static String safeUid(String uid) {
        return Uid.isValid(uid) ? uid : null; // a UID becomes a Kafka key and a record field: never free text
    }
}

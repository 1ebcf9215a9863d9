package org.echostream.ingest.pipeline;

import org.echostream.contracts.Verdict;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.prep.NotScoredReason;
import org.echostream.ingest.prep.PreparedLoop;

/** What ingest made of one instance: exactly one of clips, not scored (with reason) or rejected (with reason). */
public sealed interface InstanceVerdict {

    Verdict verdict();

    /** The stable reason code, null for clips. */
    String reasonCode();

    /** A sentence a person can act on, null for clips. Never patient data. */
    String reasonDetail();

    record Clips(PreparedLoop loop) implements InstanceVerdict {
        public Verdict verdict() {
            return Verdict.CLIPS;
        }

        public String reasonCode() {
            return null;
        }

        public String reasonDetail() {
            return null;
        }
    }

    record NotScored(NotScoredReason reason, String reasonDetail) implements InstanceVerdict {
        public Verdict verdict() {
            return Verdict.NOT_SCORED;
        }

        public String reasonCode() {
            return reason.name();
        }
    }

    record Rejected(RejectReason reason, String reasonDetail) implements InstanceVerdict {
        public Verdict verdict() {
            return Verdict.REJECTED;
        }

        public String reasonCode() {
            return reason.name();
        }
    }
}

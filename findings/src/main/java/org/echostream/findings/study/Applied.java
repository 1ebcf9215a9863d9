package org.echostream.findings.study;

/** What became of one input record: stored (and which study it touched), refused with a reason, or of no use here. */
public sealed interface Applied {

    /** @param studyInstanceUid the study whose findings may have changed */
    record Stored(String studyInstanceUid) implements Applied {
    }

    /** A record this service cannot use: goes to the dead-letter topic with the reason. */
    record Invalid(String reasonCode, String reasonDetail) implements Applied {
    }

    /** Nothing to do (a tombstone for something unknown, an instance of another modality, ...). */
    record Ignored(String why) implements Applied {
    }
}

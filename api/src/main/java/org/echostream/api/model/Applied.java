package org.echostream.api.model;

/** What the read model did with one record from a topic. */
public sealed interface Applied {

    /** The record changed the view. {@code firstSeen}: its identity (event id, clip) was new. */
    record Stored(boolean firstSeen) implements Applied {
    }

    /** Readable but not used, e.g. a replayed duplicate; nothing to report. */
    record Ignored(String why) implements Applied {
    }

    /** Decodable but inconsistent: goes to the dead-letter topic with this reason. */
    record Invalid(String reasonCode, String reasonDetail) implements Applied {
    }

    String INVALID_RECORD = "INVALID_RECORD";

    static Applied stored() {
        return new Stored(true);
    }

    static Applied invalid(String detail) {
        return new Invalid(INVALID_RECORD, detail);
    }
}

package org.echostream.findings.delivery;

/** What the destination made of one send of a study's documents. */
public sealed interface SendOutcome {

    /** Every document stored (DIMSE status success or warning, STOW-RS 200, file written). */
    record Stored(String detail) implements SendOutcome {
    }

    /**
     * Worth trying again later: the destination was unreachable, busy, or timed out (connection refused, DIMSE
     * out-of-resources, HTTP 5xx or 429).
     */
    record Transient(String reasonCode, String detail) implements SendOutcome {
    }

    /**
     * The destination refused the documents or our credentials; the same bytes would be refused again, so no
     * retry (association rejected permanently, DIMSE error status, HTTP 4xx, a STOW-RS failed SOP).
     */
    record Refused(String reasonCode, String detail) implements SendOutcome {
    }
}

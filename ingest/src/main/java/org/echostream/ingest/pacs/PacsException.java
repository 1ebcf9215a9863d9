package org.echostream.ingest.pacs;

/**
 * The PACS could not be asked or did not deliver: unreachable, refused the association or the request, answered
 * with a failure status or an HTTP error. Named by a stable reason code for dead letters and job messages.
 */
public final class PacsException extends Exception {

    /** The PACS or the network failed: worth trying again after a pause. */
    public static final String PACS_UNREACHABLE = "PACS_UNREACHABLE";
    /** The PACS refused: association rejected, failure status, HTTP 4xx/5xx. */
    public static final String RETRIEVE_REFUSED = "RETRIEVE_REFUSED";
    /** A query (C-FIND, QIDO-RS) failed. */
    public static final String QUERY_FAILED = "QUERY_FAILED";
    /** The PACS refused our credentials or our AE title. */
    public static final String NOT_AUTHORISED = "NOT_AUTHORISED";

    private final String reasonCode;
    private final boolean retryable;

    public PacsException(String reasonCode, String message, boolean retryable) {
        super(message);
        this.reasonCode = reasonCode;
        this.retryable = retryable;
    }

    public PacsException(String reasonCode, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode;
        this.retryable = retryable;
    }

    public String reasonCode() {
        return reasonCode;
    }

    /** Whether trying again later may succeed (a network failure) rather than fail the same way (a refusal). */
    public boolean retryable() {
        return retryable;
    }
}

package org.echostream.contracts.kafka;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that could not be decoded into its contract type. Carries a stable reason code so that
 * dead-letter records and metrics can be grouped by cause.
 */
public class RecordDecodingException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** The bytes do not start with Avro's single-object marker (not one of our records, or a foreign producer). */
    public static final String NOT_SINGLE_OBJECT_ENCODED = "NOT_SINGLE_OBJECT_ENCODED";
    /** The writer schema's fingerprint is unknown to this reader (a newer or foreign schema). */
    public static final String UNKNOWN_SCHEMA = "UNKNOWN_SCHEMA";
    /** Header fine, body cannot be read with the writer schema (truncated or corrupt). */
    public static final String CORRUPT_BODY = "CORRUPT_BODY";
    /** Null or empty value where a record is required. */
    public static final String EMPTY_VALUE = "EMPTY_VALUE";

    private final String reasonCode;

    public RecordDecodingException(String reasonCode, String message, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }
}

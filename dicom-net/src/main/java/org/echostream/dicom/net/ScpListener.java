package org.echostream.dicom.net;

/** Told what the SCP does, for metrics and logs. Default methods do nothing. */
public interface ScpListener {

    default void associationAccepted(String callingAeTitle) {
    }

    /** @param reason e.g. CALLED_AE_UNKNOWN, CALLING_AE_NOT_ALLOWED, TOO_MANY_ASSOCIATIONS, BAD_REQUEST */
    default void associationRejected(String callingAeTitle, String reason) {
    }

    /** The association ended without a release (peer abort, connection lost, protocol error, idle). */
    default void associationAborted(String callingAeTitle, String reason) {
    }

    default void associationEnded(String callingAeTitle) {
    }

    default void responded(String command, StoreStatus status) {
    }

    ScpListener NONE = new ScpListener() {
    };
}

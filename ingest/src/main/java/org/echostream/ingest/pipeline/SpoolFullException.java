package org.echostream.ingest.pipeline;

/** The spool has less free space than it must keep: refuse new instances rather than lose them. */
public final class SpoolFullException extends Exception {

    public SpoolFullException(String message) {
        super(message);
    }
}

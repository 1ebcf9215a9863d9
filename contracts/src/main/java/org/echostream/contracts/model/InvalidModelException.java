package org.echostream.contracts.model;

/** The model files cannot be trusted or used; services refuse to start on it. */
public class InvalidModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.echostream.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Error answers: a status and one sentence naming the thing and the fact; never patient data. */
final class ApiErrors {

    /** The JSON body of every error answer. */
    record Problem(int status, String error) {
    }

    private ApiErrors() {
    }

    static WebApplicationException badRequest(String message) {
        return error(Response.Status.BAD_REQUEST, message);
    }

    static WebApplicationException notFound(String message) {
        return error(Response.Status.NOT_FOUND, message);
    }

    static WebApplicationException unavailable(String message) {
        return error(Response.Status.SERVICE_UNAVAILABLE, message);
    }

    static WebApplicationException error(Response.Status status, String message) {
        return new WebApplicationException(message, Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new Problem(status.getStatusCode(), message))
                .build());
    }
}

package org.echostream.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Sends a study's results to the configured FHIR server as one transaction, after validating them, retrying what
 * may pass later (connection failures, 408, 429, 5xx) with doubling back-off up to a cap, and never what the
 * server refused (other 4xx). Each entry is a conditional create, so a resend after a lost answer creates nothing
 * twice: the result version is delivered once however often it is sent.
 */
public final class FhirCourier {

    /** @param maxAttempts attempts in all, the first included */
    public record Settings(String serverBase, int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    }

    /** How a send ended. */
    public sealed interface Delivery {
        /** @param created entries the server created; 0 when this result version was already there */
        record Delivered(String resultVersion, int attempts, int created, int alreadyThere) implements Delivery {
        }

        record Invalid(String resultVersion, List<String> errors) implements Delivery {
        }

        /** @param reasonCode CONNECTION_FAILED or HTTP_STATUS */
        record Failed(String resultVersion, int attempts, String reasonCode, String reasonDetail) implements Delivery {
        }
    }

    /** Waits between attempts; a test passes one that does not sleep. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final FhirResults results;
    private final FhirValidation validation;
    private final IGenericClient client;
    private final Settings settings;
    private final Sleeper sleeper;

    public FhirCourier(FhirContext context, FhirResults results, FhirValidation validation, Settings settings, Sleeper sleeper) {
        this.results = results;
        this.validation = validation;
        this.settings = settings;
        this.sleeper = sleeper;
        // The server's CapabilityStatement is not fetched first: one fewer round trip, and no failure mode of its own.
        context.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        this.client = context.newRestfulGenericClient(settings.serverBase());
    }

    public Delivery send(StudyResult result) throws InterruptedException {
        String version = result.resultVersion();
        Bundle bundle = results.transaction(result);
        FhirValidation.Outcome outcome = validation.validate(bundle);
        if (!outcome.valid()) {
            return new Delivery.Invalid(version, outcome.errors());
        }
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                Bundle response = client.transaction().withBundle(bundle).execute();
                int created = 0;
                int there = 0;
                for (var entry : response.getEntry()) {
                    String status = entry.getResponse().getStatus();
                    if (status != null && status.startsWith("201")) {
                        created++;
                    } else {
                        there++;
                    }
                }
                return new Delivery.Delivered(version, attempt, created, there);
            } catch (FhirClientConnectionException e) {
                if (attempt >= settings.maxAttempts()) {
                    return new Delivery.Failed(version, attempt, "CONNECTION_FAILED", "FHIR server " + settings.serverBase()
                            + " unreachable after " + attempt + " attempts: " + e.getMessage());
                }
            } catch (BaseServerResponseException e) {
                int status = e.getStatusCode();
                boolean transientFailure = status == 408 || status == 429 || status >= 500;
                if (!transientFailure || attempt >= settings.maxAttempts()) {
                    return new Delivery.Failed(version, attempt, "HTTP_STATUS", "FHIR server " + settings.serverBase() + " answered "
                            + status + (transientFailure ? " on every one of " + attempt + " attempts" : " (not retried)") + ": "
                            + firstLine(e.getMessage()));
                }
            }
            sleeper.sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff.multipliedBy(2);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}

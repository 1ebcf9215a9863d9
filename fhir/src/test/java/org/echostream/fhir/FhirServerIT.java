package org.echostream.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The courier against a real HAPI FHIR RESTful server on an embedded Jetty (loopback), which validates every
 * request against the R4 base with HAPI's RequestValidatingInterceptor and keeps what it receives in memory,
 * honouring each entry's conditional create (If-None-Exist on the identifier) as a FHIR server must.
 */
class FhirServerIT {

    static final FhirContext CONTEXT = FhirContext.forR4Cached();
    static Server jetty;
    static String base;
    static final MemoryStore STORE = new MemoryStore();
    static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    static final AtomicInteger FAIL_STATUS = new AtomicInteger(503);
    static FhirValidation validation;

    /** Transactions kept in memory; "identifier=system|value" of If-None-Exist finds an earlier resource. */
    public static final class MemoryStore {
        final Map<String, String> idByIdentifier = new ConcurrentHashMap<>();
        final List<Resource> stored = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger transactions = new AtomicInteger();

        @Transaction
        public Bundle transaction(@TransactionParam Bundle request) {
            transactions.incrementAndGet();
            Bundle response = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
            for (var entry : request.getEntry()) {
                String type = entry.getResource().fhirType();
                String key = type + "?" + entry.getRequest().getIfNoneExist();
                String existing = idByIdentifier.get(key);
                if (existing != null) {
                    response.addEntry().getResponse().setStatus("200 OK").setLocation(existing);
                    continue;
                }
                String id = type + "/" + (stored.size() + 1);
                entry.getResource().setId(id);
                stored.add(entry.getResource());
                idByIdentifier.put(key, id);
                response.addEntry().getResponse().setStatus("201 Created").setLocation(id + "/_history/1");
            }
            return response;
        }
    }

    public static final class FailFirst {
        @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
        public void maybeFail() {
            if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new UnclassifiedServerFailureException(FAIL_STATUS.get(), "refused by the test server");
            }
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        RestfulServer server = new RestfulServer(CONTEXT);
        server.registerProvider(STORE);
        RequestValidatingInterceptor validating = new RequestValidatingInterceptor();
        validating.addValidatorModule(new FhirInstanceValidator(CONTEXT));
        validating.setFailOnSeverity(ResultSeverityEnum.ERROR);
        server.registerInterceptor(new FailFirst());
        server.registerInterceptor(validating);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(server), "/fhir/*");
        jetty.setHandler(context);
        jetty.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/fhir";
        validation = new FhirValidation(CONTEXT);
    }

    @AfterAll
    static void stopServer() throws Exception {
        jetty.stop();
    }

    @BeforeEach
    void healthyServer() {
        FAIL_NEXT.set(0);
        FAIL_STATUS.set(503);
    }

    FhirCourier courier(int attempts, List<Duration> waits) {
        return new FhirCourier(CONTEXT, new FhirResults(new FhirResults.Settings("urn:oid:1.2.826.0.1.3680043.8.498.99")), validation,
                new FhirCourier.Settings(base, attempts, Duration.ofMillis(100), Duration.ofMillis(250)), waits::add);
    }

    @Test
    void a_final_study_is_received_validated_and_a_second_send_of_the_same_result_version_creates_nothing() throws Exception {
        int before = STORE.stored.size();
        var first = courier(3, new ArrayList<>()).send(Samples.result());
        assertThat(first).isInstanceOfSatisfying(FhirCourier.Delivery.Delivered.class, d -> {
            assertThat(d.created()).isEqualTo(5); // Device, 3 Observations, DiagnosticReport
            assertThat(d.alreadyThere()).isZero();
            assertThat(d.attempts()).isEqualTo(1);
        });
        assertThat(STORE.stored.subList(before, STORE.stored.size())).filteredOn(DiagnosticReport.class::isInstance).singleElement()
                .satisfies(r -> assertThat(((DiagnosticReport) r).getConclusion()).startsWith("1 of 2 series flagged"));

        var again = courier(3, new ArrayList<>()).send(Samples.result());
        assertThat(again).isInstanceOfSatisfying(FhirCourier.Delivery.Delivered.class, d -> {
            assertThat(d.created()).isZero();
            assertThat(d.alreadyThere()).isEqualTo(5);
        });
        assertThat(STORE.stored).hasSize(before + 5);
    }

    @Test
    void a_server_that_fails_twice_is_retried_with_back_off_and_one_that_keeps_failing_is_reported() throws Exception {
        FAIL_NEXT.set(2);
        List<Duration> waits = new ArrayList<>();
        StudyResult v2 = new StudyResult(Samples.result().study(), Samples.finalStatus(2), Samples.result().series(), Samples.result().events());
        var delivered = courier(3, waits).send(v2);
        assertThat(delivered).isInstanceOfSatisfying(FhirCourier.Delivery.Delivered.class, d -> assertThat(d.attempts()).isEqualTo(3));
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));

        FAIL_NEXT.set(10);
        StudyResult v3 = new StudyResult(Samples.result().study(), Samples.finalStatus(3), Samples.result().series(), Samples.result().events());
        var failed = courier(3, new ArrayList<>()).send(v3);
        assertThat(failed).isInstanceOfSatisfying(FhirCourier.Delivery.Failed.class, f -> {
            assertThat(f.reasonCode()).isEqualTo("HTTP_STATUS");
            assertThat(f.reasonDetail()).contains("503").contains("3 attempts");
        });
    }

    @Test
    void what_the_server_refuses_is_not_retried_an_invalid_bundle_is_never_sent_and_an_unreachable_server_is_reported() throws Exception {
        FAIL_NEXT.set(1);
        FAIL_STATUS.set(422);
        List<Duration> waits = new ArrayList<>();
        StudyResult v4 = new StudyResult(Samples.result().study(), Samples.finalStatus(4), Samples.result().series(), Samples.result().events());
        var refused = courier(3, waits).send(v4);
        assertThat(refused).isInstanceOfSatisfying(FhirCourier.Delivery.Failed.class, f -> {
            assertThat(f.reasonCode()).isEqualTo("HTTP_STATUS");
            assertThat(f.reasonDetail()).contains("422").contains("not retried");
            assertThat(f.attempts()).isEqualTo(1);
        });
        assertThat(waits).isEmpty();

        int transactions = STORE.transactions.get();
        // A patient identifier system that is no valid OID: the validator refuses the bundle and nothing is sent.
        FhirCourier misconfigured = new FhirCourier(CONTEXT, new FhirResults(new FhirResults.Settings("urn:oid:1.2.3")), validation,
                new FhirCourier.Settings(base, 3, Duration.ofMillis(1), Duration.ofMillis(1)), d -> { });
        assertThat(misconfigured.send(Samples.result())).isInstanceOfSatisfying(FhirCourier.Delivery.Invalid.class,
                i -> assertThat(i.errors()).anyMatch(e -> e.contains("subject.identifier.system") && e.contains("OID")));

        FhirCourier unreachable = new FhirCourier(CONTEXT, new FhirResults(new FhirResults.Settings("urn:oid:1.2.826.0.1.3680043.8.498.99")), validation,
                new FhirCourier.Settings("http://127.0.0.1:9/fhir", 2, Duration.ofMillis(1), Duration.ofMillis(1)), d -> { });
        assertThat(unreachable.send(Samples.result())).isInstanceOfSatisfying(FhirCourier.Delivery.Failed.class, f -> {
            assertThat(f.reasonCode()).isEqualTo("CONNECTION_FAILED");
            assertThat(f.attempts()).isEqualTo(2);
        });
        assertThat(STORE.transactions.get()).isEqualTo(transactions);
    }
}

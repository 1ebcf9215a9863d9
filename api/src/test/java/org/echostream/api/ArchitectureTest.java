package org.echostream.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses API = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.api");

    private static final String[] CORE = {"org.echostream.api.model..", "org.echostream.api.render..", "org.echostream.api.audit..",
        "org.echostream.api.jobs..", "org.echostream.api.security.."};

    @Test
    void the_pure_core_knows_no_framework_and_no_kafka_client() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "io.vertx..", "org.eclipse.microprofile..",
                        "org.apache.kafka..", "io.micrometer..", "org.jboss..")
                .because("the read model, rendering, audit, job and credential rules are plain Java tested without a broker or "
                        + "a container: put Quarkus and Kafka wiring in org.echostream.api")
                .check(API);
    }

    @Test
    void the_core_does_not_reach_back_into_the_wiring() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat().resideInAPackage("org.echostream.api")
                .because("dependencies point one way: the Quarkus layer uses the core, never the reverse")
                .check(API);
    }

    @Test
    void the_api_knows_no_other_service() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.echostream.ingest..", "org.echostream.embedder..", "org.echostream.anomaly..")
                .because("services talk through Kafka topics: read the topic, and share record types through contracts")
                .check(API);
    }
}

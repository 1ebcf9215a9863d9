package org.echostream.k8s;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses K8S = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.k8s");

    @Test
    void the_manifest_generators_and_checks_know_no_framework_and_no_kafka_client() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.apache.kafka.clients..", "org.apache.kafka.streams..",
                        "io.fabric8.kubernetes.client.dsl..", "io.fabric8.kubernetes.client.http..")
                .because("the k8s module renders and checks files; it never talks to a broker or a cluster: keep it plain Java over the models")
                .check(K8S);
    }

    @Test
    void checks_do_not_depend_on_the_renderer() {
        noClasses().that().resideInAPackage("org.echostream.k8s.check..")
                .should().dependOnClassesThat().resideInAPackage("org.echostream.k8s.render..")
                .because("checks take rendered YAML as text, so they can be tested on any input, not only on what kustomize made")
                .check(K8S);
    }
}

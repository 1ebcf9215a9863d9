package org.echostream.contracts;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses CONTRACTS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.contracts");

    @Test
    void contracts_know_nothing_of_frameworks() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..")
                .because("contracts are shared by every service and by tools outside Quarkus: keep framework wiring in the services")
                .check(CONTRACTS);
    }

    @Test
    void contracts_know_no_service() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.echostream.ingest..", "org.echostream.embedder..", "org.echostream.anomaly..", "org.echostream.api..")
                .because("dependencies point one way: services depend on contracts, never the reverse")
                .check(CONTRACTS);
    }
}

package org.echostream.fhir;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses FHIR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.fhir");

    @Test
    void fhir_knows_only_the_contracts_of_echostream() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.echostream.ingest..", "org.echostream.embedder..", "org.echostream.anomaly..", "org.echostream.api..",
                        "org.echostream.findings..", "io.quarkus..")
                .because("dependencies point one way: the FHIR results are built from the contracts' records, like every service's")
                .check(FHIR);
    }
}

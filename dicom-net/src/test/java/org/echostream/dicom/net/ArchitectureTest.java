package org.echostream.dicom.net;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** dicom-net is shared by every service that speaks DICOM, so it depends on none of them and on no framework. */
class ArchitectureTest {

    private static final JavaClasses NET = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.dicom.net");

    @Test
    void knows_no_other_module_of_ours() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.echostream.contracts..", "org.echostream.ingest..",
                        "org.echostream.findings..", "org.echostream.api..", "org.echostream.embedder..", "org.echostream.anomaly..")
                .because("services depend on dicom-net, never the other way: pass what the network layer needs in through ScpSettings, "
                        + "StoreHandler or ScuAssociation's arguments")
                .check(NET);
    }

    @Test
    void knows_no_framework_and_no_kafka() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..",
                        "io.micrometer..", "org.jboss..", "org.apache.kafka..", "com.pixelmed..")
                .because("dicom-net is plain Java; metrics and logs go through ScpListener, configuration through ScpSettings")
                .check(NET);
    }
}

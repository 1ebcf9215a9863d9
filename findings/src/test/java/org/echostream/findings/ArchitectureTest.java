package org.echostream.findings;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.echostream.dicom.net.testing.DicomNetRules;
import org.junit.jupiter.api.Test;

/**
 * The core (study book, SR/KOS building, DICOM encoding, delivery decisions and transports, the desk) stays plain
 * Java, testable without a broker or Quarkus; Kafka and CDI live in org.echostream.findings itself.
 */
class ArchitectureTest {

    private static final JavaClasses FINDINGS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.findings");

    private static final String[] CORE = {"org.echostream.findings.study..", "org.echostream.findings.report..",
            "org.echostream.findings.dicom..", "org.echostream.findings.delivery..", "org.echostream.findings.desk.."};

    @Test
    void the_core_knows_nothing_of_quarkus_cdi_or_config() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..",
                        "io.micrometer..", "org.jboss..")
                .because("the core is plain Java; wire it in org.echostream.findings (FindingsBeans) instead")
                .check(FINDINGS);
    }

    @Test
    void the_core_does_not_talk_to_kafka() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..")
                .because("delivery records go through the DeliveryLog interface; the Kafka side is KafkaDeliveryLog and FindingsFeed")
                .check(FINDINGS);
    }

    @Test
    void pixelmed_stays_behind_the_document_encoder() {
        noClasses().that().resideOutsideOfPackage("org.echostream.findings.dicom..")
                .should().dependOnClassesThat().resideInAnyPackage("com.pixelmed..")
                .because("the SR and KOS are built as plain records; DocumentEncoder alone turns them into DICOM")
                .check(FINDINGS);
    }

    @Test
    void documents_are_built_without_knowing_how_they_travel() {
        noClasses().that().resideInAnyPackage("org.echostream.findings.study..", "org.echostream.findings.report..",
                        "org.echostream.findings.dicom..")
                .should().dependOnClassesThat().resideInAnyPackage("org.echostream.findings.delivery..", "org.echostream.findings.desk..")
                .because("what a report says must not depend on the transport or on delivery state")
                .check(FINDINGS);
    }

    @Test
    void dicom_networking_goes_through_dicom_net() {
        DicomNetRules.DICOM_NETWORKING_GOES_THROUGH_DICOM_NET.check(FINDINGS);
    }
}

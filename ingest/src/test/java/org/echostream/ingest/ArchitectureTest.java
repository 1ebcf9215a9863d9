package org.echostream.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.echostream.dicom.net.testing.DicomNetRules;
import org.junit.jupiter.api.Test;

/** The pure core (DICOM, prep-1, pipeline, SCP) stays plain Java: testable without a broker, a container or Quarkus. */
class ArchitectureTest {

    private static final JavaClasses INGEST = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.ingest");

    private static final String[] CORE = {"org.echostream.ingest.dicom..", "org.echostream.ingest.prep..",
            "org.echostream.ingest.pipeline..", "org.echostream.ingest.scp.."};

    @Test
    void the_core_knows_nothing_of_quarkus_cdi_or_config() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..",
                        "io.micrometer..", "org.jboss..")
                .because("the core is plain Java; wire it in org.echostream.ingest (IngestBeans) instead")
                .check(INGEST);
    }

    @Test
    void the_core_does_not_talk_to_kafka() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..")
                .because("publishing goes through the InstancePublisher interface; Kafka code lives in org.echostream.ingest.kafka")
                .check(INGEST);
    }

    @Test
    void pixelmed_stays_behind_the_dicom_decoder() {
        noClasses().that().resideOutsideOfPackage("org.echostream.ingest.dicom..")
                .should().dependOnClassesThat().resideInAnyPackage("com.pixelmed..", "com.github.jaiimageio..")
                .because("DicomDecoder is the one door to the DICOM toolkit, so another toolkit can be put behind it")
                .check(INGEST);
    }

    @Test
    void decoding_and_preprocessing_do_not_depend_on_the_pipeline_or_the_network() {
        noClasses().that().resideInAnyPackage("org.echostream.ingest.dicom..", "org.echostream.ingest.prep..")
                .should().dependOnClassesThat().resideInAnyPackage("org.echostream.ingest.pipeline..", "org.echostream.ingest.scp..",
                        "org.echostream.ingest.kafka..")
                .because("decoding and prep-1 are the innermost core")
                .check(INGEST);
    }

    @Test
    void dicom_networking_goes_through_dicom_net() {
        DicomNetRules.DICOM_NETWORKING_GOES_THROUGH_DICOM_NET.check(INGEST);
    }
}

package org.echostream.embedder;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses EMBEDDER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.embedder");

    private static final String[] FRAMEWORKS = {"io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..", "org.jboss.."};

    @Test
    void the_inference_core_knows_neither_kafka_nor_quarkus() {
        noClasses().that().resideInAPackage("org.echostream.embedder.core..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(FRAMEWORKS, "org.apache.kafka..", "io.micrometer.."))
                .because("the core (model loading, tensors, batching rules) is plain Java tested without a broker: "
                        + "put Kafka code in org.echostream.embedder.stream and Quarkus wiring in org.echostream.embedder")
                .check(EMBEDDER);
    }

    @Test
    void the_kafka_loop_knows_no_quarkus() {
        noClasses().that().resideInAPackage("org.echostream.embedder.stream..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("the consume-transform-produce loop runs in integration tests without Quarkus: "
                        + "wire it in org.echostream.embedder (EmbedderService)")
                .check(EMBEDDER);
    }

    @Test
    void the_core_does_not_reach_up_into_the_loop_or_the_wiring() {
        noClasses().that().resideInAPackage("org.echostream.embedder.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.echostream.embedder.stream..")
                .orShould().dependOnClassesThat().resideInAPackage("org.echostream.embedder")
                .because("dependencies point one way: wiring -> stream -> core")
                .check(EMBEDDER);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

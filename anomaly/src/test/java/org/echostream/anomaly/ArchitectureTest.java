package org.echostream.anomaly;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The pure core stays plain Java; Kafka Streams only in the topology; Quarkus only in the wiring package. */
class ArchitectureTest {

    private static final JavaClasses ANOMALY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.echostream.anomaly");

    private static final String[] FRAMEWORKS = {"io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..",
            "io.micrometer..", "org.jboss.."};

    @Test
    void scoring_and_series_tracking_know_neither_kafka_nor_quarkus() {
        noClasses().that().resideInAnyPackage("org.echostream.anomaly.scoring..", "org.echostream.anomaly.series..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(FRAMEWORKS, "org.apache.kafka..", "org.echostream.contracts.kafka.."))
                .because("the surprise maths and the series logic are tested without a broker: hand them plain records, "
                        + "and keep Kafka in org.echostream.anomaly.topology")
                .check(ANOMALY);
    }

    @Test
    void the_topology_knows_kafka_streams_but_not_quarkus() {
        noClasses().that().resideInAnyPackage("org.echostream.anomaly.topology..", "org.echostream.anomaly.tools..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("tests build the topology with AnomalyTopology.build(...) and no container; "
                        + "put CDI, config and metrics wiring in org.echostream.anomaly (TopologyProducer)")
                .check(ANOMALY);
    }

    @Test
    void the_core_does_not_reach_up_into_the_wiring() {
        noClasses().that().resideInAnyPackage("org.echostream.anomaly.scoring..", "org.echostream.anomaly.series..",
                        "org.echostream.anomaly.topology..")
                .should().dependOnClassesThat().resideInAnyPackage("org.echostream.anomaly")
                .because("dependencies point inwards: wiring -> topology -> series -> scoring")
                .check(ANOMALY);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

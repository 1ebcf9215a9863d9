package org.echostream.findings.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.Findings;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.testing.Dciodvfy;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.Test;

class DocumentEncoderTest {

    /** The documents stay in target/documents for a look with dsrdump or dcmdump. */
    Path dir = Path.of("target", "documents");

    static Findings findings(EchoStudy study) {
        var book = study.into(new StudyBook(), EchoStudy.T0);
        var ready = (Assessment.Ready) book.assess(study.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(5));
        var settings = new DocumentSettings(9901, 9902, new Equipment("echostream", "echostream findings", "0.1.0", "echostream", "2.25.1234"));
        return new FindingsBuilder(settings).build(ready.result(), Optional.empty());
    }

    @org.junit.jupiter.api.BeforeEach
    void folder() throws Exception {
        java.nio.file.Files.createDirectories(dir);
    }

    @Test
    void the_measurement_report_passes_dciodvfy_without_errors() throws Exception {
        var doc = new DocumentEncoder().encode(findings(new EchoStudy("1.2.826.0.1.3680043.8.498.77")).report());
        var verdict = Dciodvfy.check(doc.part10(), dir, "sr.dcm");
        System.out.println(verdict.output());
        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
    }

    @Test
    void the_key_object_selection_passes_dciodvfy_without_errors() throws Exception {
        var doc = new DocumentEncoder().encode(findings(new EchoStudy("1.2.826.0.1.3680043.8.498.77")).keyImages().orElseThrow());
        var verdict = Dciodvfy.check(doc.part10(), dir, "kos.dcm");
        System.out.println(verdict.output());
        assertThat(verdict.errors()).as(verdict.output()).isEmpty();
    }
}

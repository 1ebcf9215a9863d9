package org.echostream.findings.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.echostream.findings.dicom.EncodedDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderTransportTest {

    @Test
    void writes_each_document_under_its_study_for_the_service_user_only(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("findings");
        var outcome = new FolderTransport(folder).send("1.2.3", List.of(document("1.2.3.9", new byte[] {1, 2, 3})));
        assertThat(outcome).isInstanceOf(SendOutcome.Stored.class);
        Path file = folder.resolve("1.2.3").resolve("1.2.3.9.dcm");
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");

        new FolderTransport(folder).send("1.2.3", List.of(document("1.2.3.9", new byte[] {4})));
        assertThat(Files.readAllBytes(file)).containsExactly(4);
    }

    private static EncodedDocument document(String sopInstanceUid, byte[] part10) {
        return new EncodedDocument("1.2.840.10008.5.1.4.1.1.88.33", sopInstanceUid, part10, new byte[0], new byte[0]);
    }
}

package org.echostream.findings.delivery;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.echostream.findings.dicom.EncodedDocument;

/**
 * Writes the documents as Part 10 files under {@code <folder>/<Study Instance UID>/<SOP Instance UID>.dcm}: for a
 * machine without a PACS (make run), for a gateway that picks files up, and for looking at them with dciodvfy.
 * Each file is written beside its final name and moved into place, so a reader never sees half a file.
 */
public final class FolderTransport implements Transport {

    /** The SR and KOS name the patient: only the service's own user may list or read them. */
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path folder;

    public FolderTransport(Path folder) {
        this.folder = folder;
    }

    @Override
    public String kind() {
        return "FOLDER";
    }

    @Override
    public String describe() {
        return "folder " + folder;
    }

    @Override
    public SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents) {
        // UIDs are digits and dots (StudyBook refuses anything else), so they are safe as file names.
        Path studyFolder = folder.resolve(studyInstanceUid);
        try {
            Files.createDirectories(studyFolder, PRIVATE_DIR);
            for (EncodedDocument d : documents) {
                Path target = studyFolder.resolve(d.sopInstanceUid() + ".dcm");
                Path partial = studyFolder.resolve(d.sopInstanceUid() + ".dcm.partial");
                Files.deleteIfExists(partial);
                Files.write(Files.createFile(partial, PRIVATE_FILE), d.part10());
                try {
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new SendOutcome.Stored(documents.size() + " files in " + studyFolder);
        } catch (IOException e) {
            return new SendOutcome.Transient("FOLDER_WRITE_FAILED", describe() + ": cannot write study " + studyInstanceUid + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}

package org.echostream.ingest.scp;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.echostream.dicom.net.ScuAssociation;
import org.echostream.dicom.net.Uid;
import org.echostream.ingest.dicom.TransferSyntax;

/**
 * What ingest takes over DICOM, for the SCP's negotiation and the C-GET proposals of a backfill alike: the
 * ultrasound and secondary-capture storage classes (current and retired), in the transfer syntaxes whose pixels
 * ingest decodes. Others are refused at negotiation, so a sender can offer another syntax instead of storing a
 * loop nobody can read.
 */
public final class IngestContexts {

    public static final Set<String> STORAGE_CLASSES = Set.of(
            Uid.ULTRASOUND_IMAGE_STORAGE, Uid.ULTRASOUND_IMAGE_STORAGE_RETIRED, Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE,
            Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE_RETIRED, Uid.SECONDARY_CAPTURE_IMAGE_STORAGE, Uid.MULTIFRAME_SINGLE_BIT_SC_IMAGE_STORAGE,
            Uid.MULTIFRAME_GRAYSCALE_BYTE_SC_IMAGE_STORAGE, Uid.MULTIFRAME_GRAYSCALE_WORD_SC_IMAGE_STORAGE,
            Uid.MULTIFRAME_TRUE_COLOR_SC_IMAGE_STORAGE).stream().map(Uid::value).collect(Collectors.toUnmodifiableSet());

    public static final Set<String> TRANSFER_SYNTAXES = Arrays.stream(TransferSyntax.values())
            .filter(ts -> ts.codec() != TransferSyntax.Codec.UNSUPPORTED).map(TransferSyntax::uid).collect(Collectors.toUnmodifiableSet());

    private IngestContexts() {
    }

    /** The storage contexts a C-GET proposes, with the SCP role, so that the PACS sends what we decode as it stores it. */
    public static List<ScuAssociation.Proposal> storageProposals() {
        return ScuAssociation.storageProposals(STORAGE_CLASSES, TRANSFER_SYNTAXES);
    }
}

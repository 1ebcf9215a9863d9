package org.echostream.findings.delivery;

import java.util.List;
import org.echostream.findings.dicom.EncodedDocument;

/** One way of getting documents to the destination. Implementations never throw for what the peer does: they answer an outcome. */
public interface Transport {

    /** DIMSE, STOW_RS or FOLDER: recorded with every delivery. */
    String kind();

    /** Where the documents go, for reasons and logs: AE title and address, URL, folder. No credentials. */
    String describe();

    /** Sends every document of one study (in one association or request where the transport allows). */
    SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents);
}

package org.echostream.dicom.net;

/**
 * One C-STORE request as received: who sent it, on which association, and what it announces.
 *
 * @param associationId           this process's name for the association (completeness counts its release)
 * @param moveOriginatorAeTitle   (0000,1030) when the store is a sub-operation of someone's C-MOVE, else null
 * @param moveOriginatorMessageId (0000,1031) likewise, else null
 */
public record StoreRequest(String callingAeTitle, String sopClassUid, String sopInstanceUid, String transferSyntaxUid, int messageId,
                           String associationId, String moveOriginatorAeTitle, Integer moveOriginatorMessageId) {
}

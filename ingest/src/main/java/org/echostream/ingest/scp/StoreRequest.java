package org.echostream.ingest.scp;

/** One C-STORE request as received: who sent it and what it announces. */
public record StoreRequest(String callingAeTitle, String sopClassUid, String sopInstanceUid, String transferSyntaxUid, int messageId) {
}

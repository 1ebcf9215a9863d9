package org.echostream.ingest.pacs;

/** One instance of an ultrasound series the PACS listed for a study. */
public record InstanceMatch(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, String sopClassUid) {
}

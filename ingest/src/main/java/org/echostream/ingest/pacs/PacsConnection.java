package org.echostream.ingest.pacs;

import java.util.List;
import java.util.Map;

/**
 * One worker's line to a PACS: an association (DIMSE) or an HTTP client (DICOMweb), opened when first used and
 * reopened after a failure. A backfill holds at most the node's max-associations of them at once.
 */
public interface PacsConnection extends AutoCloseable {

    /** Studies matching one query; ultrasound only. */
    List<StudyMatch> findStudies(StudyQuery query) throws PacsException, InterruptedException;

    /** The instances of the study's ultrasound series. */
    List<InstanceMatch> listInstances(StudyMatch study) throws PacsException, InterruptedException;

    /**
     * Asks for the instances and hands each arrival to the ingest pipeline.
     *
     * @return an outcome for every requested SOP Instance UID
     * @throws PacsException when the request could not be made at all (nothing is known of the instances)
     */
    Map<String, InstanceOutcome> retrieve(Retrieval retrieval) throws PacsException, InterruptedException;

    @Override
    void close();

    /** Opens connections to one node. */
    @FunctionalInterface
    interface Factory {
        PacsConnection connect();
    }
}

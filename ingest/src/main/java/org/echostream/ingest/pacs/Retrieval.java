package org.echostream.ingest.pacs;

import java.util.List;

/**
 * One request to the PACS: instances of one series, retrieved together.
 *
 * @param session the job's delivery of their study (study completeness waits for it to end)
 */
public record Retrieval(String jobId, String session, List<InstanceMatch> instances) {

    public Retrieval {
        instances = List.copyOf(instances);
        if (instances.isEmpty() || instances.stream().map(InstanceMatch::seriesInstanceUid).distinct().count() != 1) {
            throw new IllegalArgumentException("a retrieval takes instances of exactly one series");
        }
    }

    public String studyInstanceUid() {
        return instances.get(0).studyInstanceUid();
    }

    public String seriesInstanceUid() {
        return instances.get(0).seriesInstanceUid();
    }
}

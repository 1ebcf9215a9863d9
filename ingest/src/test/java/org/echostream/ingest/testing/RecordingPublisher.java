package org.echostream.ingest.testing;

import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.StudyStatus;
import org.echostream.ingest.pipeline.InstancePublisher;
import org.echostream.ingest.pipeline.ProcessedInstance;

/** Keeps what would be published; can be told to fail like an unreachable broker. */
public final class RecordingPublisher implements InstancePublisher {

    public final List<ProcessedInstance> published = new ArrayList<>();
    public final List<StudyStatus> statuses = new ArrayList<>();
    public volatile int failuresLeft;

    @Override
    public synchronized void publish(ProcessedInstance instance, List<StudyStatus> studyStatuses) throws PublishException {
        fail();
        published.add(instance);
        statuses.addAll(studyStatuses);
    }

    @Override
    public synchronized void publishStatuses(List<StudyStatus> studyStatuses) throws PublishException {
        fail();
        statuses.addAll(studyStatuses);
    }

    private void fail() throws PublishException {
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new PublishException("broker unreachable (test)", null);
        }
    }
}

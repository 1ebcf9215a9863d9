package org.echostream.ingest.pipeline;

import java.util.List;
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.StudyRecord;

/**
 * One instance after decoding, cleaning and cutting, with every record to publish in its transaction.
 *
 * @param study      the study record, null when the instance could not be identified
 * @param instance   the instance record (verdict and reason), null when the instance could not be identified
 * @param clips      the clips, empty unless the verdict is CLIPS
 * @param deadLetter the dead letter, for REJECTED only
 */
public record ProcessedInstance(InstanceVerdict verdict, InstanceFacts facts, StudyRecord study, InstanceRecord instance,
                                List<Clip> clips, DeadLetter deadLetter) {

    public ProcessedInstance {
        clips = List.copyOf(clips);
    }

    public String sopInstanceUid() {
        return facts.sopInstanceUid();
    }
}

package org.echostream.api.model;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.RecordDecodingException;
import org.echostream.contracts.kafka.Topics;

/**
 * Decodes one topic record and applies it to the read model. Poison values (undecodable) and inconsistent
 * ones come back as {@link Applied.Invalid} with a reason code, for the dead-letter topic; nothing here
 * throws on input. Null values on compacted topics are tombstones and remove what their key named.
 */
public final class RecordRouter {

    /** @param value the decoded record when there was one (for the live event stream), else null */
    public record Routed(Applied applied, SpecificRecordBase value) {
    }

    private static final AvroSerde<StudyRecord> STUDY = AvroSerde.of(StudyRecord.class);
    private static final AvroSerde<InstanceRecord> INSTANCE = AvroSerde.of(InstanceRecord.class);
    private static final AvroSerde<Clip> CLIP = AvroSerde.of(Clip.class);
    private static final AvroSerde<ClipLatents> LATENT = AvroSerde.of(ClipLatents.class);
    private static final AvroSerde<ClipSurprise> SURPRISES = AvroSerde.of(ClipSurprise.class);
    private static final AvroSerde<AnomalyEvent> EVENT = AvroSerde.of(AnomalyEvent.class);
    private static final AvroSerde<SeriesSummary> SUMMARY = AvroSerde.of(SeriesSummary.class);
    private static final AvroSerde<JobCommand> COMMAND = AvroSerde.of(JobCommand.class);
    private static final AvroSerde<JobStatus> STATUS = AvroSerde.of(JobStatus.class);
    private static final AvroSerde<StudyStatus> STUDY_STATUS = AvroSerde.of(StudyStatus.class);
    private static final AvroSerde<SeriesFeedback> FEEDBACK = AvroSerde.of(SeriesFeedback.class);

    private final Map<String, Function<byte[], Routed>> byTopic;
    private final Map<String, Function<String, Applied>> tombstones;

    public RecordRouter(ReadModel model) {
        this.byTopic = Map.ofEntries(
                Map.entry(Topics.FEEDBACK.name(), bytes -> apply(FEEDBACK, bytes, model::apply)),
                Map.entry(Topics.STUDIES.name(), bytes -> apply(STUDY, bytes, model::apply)),
                Map.entry(Topics.INSTANCES.name(), bytes -> apply(INSTANCE, bytes, model::apply)),
                Map.entry(Topics.CLIPS.name(), bytes -> apply(CLIP, bytes, model::apply)),
                Map.entry(Topics.LATENTS.name(), bytes -> apply(LATENT, bytes, model::apply)),
                Map.entry(Topics.SURPRISE.name(), bytes -> apply(SURPRISES, bytes, model::apply)),
                Map.entry(Topics.ANOMALY_EVENTS.name(), bytes -> apply(EVENT, bytes, model::apply)),
                Map.entry(Topics.SERIES_SUMMARIES.name(), bytes -> apply(SUMMARY, bytes, model::apply)),
                Map.entry(Topics.JOB_COMMANDS.name(), bytes -> apply(COMMAND, bytes, model::apply)),
                Map.entry(Topics.JOB_STATUS.name(), bytes -> apply(STATUS, bytes, model::apply)),
                Map.entry(Topics.STUDY_STATUS.name(), bytes -> apply(STUDY_STATUS, bytes, model::apply)));
        // Compacted topics: a null value deletes what its key named (e.g. a study's patient data).
        this.tombstones = Map.of(
                Topics.STUDIES.name(), model::removeStudy,
                Topics.INSTANCES.name(), model::removeInstance,
                Topics.SERIES_SUMMARIES.name(), model::removeSummary,
                Topics.JOB_STATUS.name(), model::removeJobStatus,
                Topics.STUDY_STATUS.name(), model::removeStudyStatus,
                Topics.FEEDBACK.name(), model::removeFeedback);
    }

    /** The topics the read model is built from. */
    public Set<String> topics() {
        return byTopic.keySet();
    }

    public Routed route(String topic, String key, byte[] value) {
        if (value == null) {
            return new Routed(tombstone(topic, key), null);
        }
        Function<byte[], Routed> route = byTopic.get(topic);
        return route == null ? new Routed(new Applied.Ignored("topic " + topic + " is not part of the read model"), null) : route.apply(value);
    }

    private Applied tombstone(String topic, String key) {
        Function<String, Applied> remove = tombstones.get(topic);
        if (remove == null) {
            return new Applied.Invalid(RecordDecodingException.EMPTY_VALUE, "null value on " + topic + ", which is not compacted: a record is required");
        }
        if (key == null) {
            return new Applied.Invalid(RecordDecodingException.EMPTY_VALUE, "tombstone without a key on " + topic);
        }
        return remove.apply(key);
    }

    private static <T extends SpecificRecordBase> Routed apply(AvroSerde<T> serde, byte[] bytes, Function<T, Applied> apply) {
        DecodeResult<T> decoded = DecodeResult.decode(serde, bytes);
        if (decoded instanceof DecodeResult.Poison<T> poison) {
            return new Routed(new Applied.Invalid(poison.reasonCode(), poison.reasonDetail()), null);
        }
        T value = ((DecodeResult.Decoded<T>) decoded).value();
        try {
            return new Routed(apply.apply(value), value);
        } catch (RuntimeException e) {
            // A decodable record with a field combination nobody foresaw must not stop the read model.
            return new Routed(Applied.invalid(value.getClass().getSimpleName() + " could not be applied: " + e), null);
        }
    }
}

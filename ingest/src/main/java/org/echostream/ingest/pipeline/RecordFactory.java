package org.echostream.ingest.pipeline;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.ingest.dicom.InstanceAttributes;
import org.echostream.ingest.dicom.StudyAttributes;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.ingest.prep.PreparedLoop;

/** Builds the contract records of one processed instance. Patient identifiers go into the StudyRecord only. */
final class RecordFactory {

    private final ClipShape shape;
    private final DeadLetters deadLetters;

    RecordFactory(ClipShape shape, Clock clock) {
        this.shape = shape;
        this.deadLetters = new DeadLetters("ingest", clock);
    }

    StudyRecord study(InstanceAttributes attributes, Provenance provenance) {
        StudyAttributes s = attributes.study();
        return new StudyRecord(attributes.studyInstanceUid(), s.patientId(), s.patientName(), s.patientBirthDate(), s.patientSex(),
                s.accessionNumber(), s.studyDate(), s.studyTime(), s.studyDescription(), s.institutionName(), provenance.receivedAt());
    }

    InstanceRecord instance(InstanceAttributes attributes, InstanceFacts facts, InstanceVerdict verdict, Provenance provenance,
                            SpooledFile spooled) {
        PreparedLoop loop = verdict instanceof InstanceVerdict.Clips clips ? clips.loop() : null;
        return InstanceRecord.newBuilder()
                .setStudyInstanceUid(attributes.studyInstanceUid())
                .setSeriesInstanceUid(attributes.seriesInstanceUid())
                .setSopInstanceUid(attributes.sopInstanceUid())
                .setSopClassUid(attributes.sopClassUid() == null ? "" : attributes.sopClassUid())
                .setTransferSyntaxUid(facts.transferSyntaxUid() == null ? "" : facts.transferSyntaxUid())
                .setModality(attributes.modality())
                .setManufacturer(attributes.manufacturer())
                .setSeriesNumber(attributes.seriesNumber())
                .setSeriesDescription(attributes.seriesDescription())
                .setPhotometricInterpretation(attributes.pixels().photometric())
                .setRows(attributes.pixels().rows())
                .setColumns(attributes.pixels().columns())
                .setFrames(attributes.pixels().frames())
                .setFrameTimeMillis(facts.frameTimeMillis())
                .setFrameTimeSource(facts.frameTimeSource())
                .setHeartRateBpm(loop == null || loop.heartRate() == null ? null : loop.heartRate().bpm())
                .setHeartRateSource(loop == null || loop.heartRate() == null ? null : loop.heartRate().source())
                .setCrop(loop == null ? null : crop(loop, attributes))
                .setVerdict(verdict.verdict())
                .setReasonCode(verdict.reasonCode())
                .setReasonDetail(verdict.reasonDetail())
                .setClipCount(loop == null ? 0 : loop.clips().size())
                .setSpoolUri(spooled == null ? null : spooled.uri())
                .setSourceKind(provenance.sourceKind())
                .setSource(provenance.source())
                .setPreprocessingVersion(shape.preprocessingVersion())
                .setModelName(shape.modelName())
                .setModelVersion(shape.modelVersion())
                .setReceivedAt(provenance.receivedAt())
                .build();
    }

    List<Clip> clips(InstanceAttributes attributes, PreparedLoop loop, Provenance provenance, SpooledFile spooled) {
        CropGeometry crop = crop(loop, attributes);
        List<Clip> clips = new ArrayList<>(loop.clips().size());
        for (PreparedLoop.ClipWindow window : loop.clips()) {
            double[] times = window.timestamps();
            ClipRef ref = new ClipRef(attributes.studyInstanceUid(), attributes.seriesInstanceUid(), attributes.sopInstanceUid(),
                    window.index(), window.firstFrame(), shape.frames(), times[0], times[times.length - 1]);
            clips.add(Clip.newBuilder()
                    .setRef(ref)
                    .setClipsInLoop(loop.clips().size())
                    .setFps(shape.fps())
                    .setFrameTimestamps(Arrays.stream(times).boxed().toList())
                    .setSourceFrameIndices(Arrays.stream(window.sourceFrameIndices()).boxed().toList())
                    .setHeartRateBpm(loop.heartRate() == null ? null : loop.heartRate().bpm())
                    .setHeartRateSource(loop.heartRate() == null ? null : loop.heartRate().source())
                    .setFrames(shape.frames())
                    .setHeight(shape.height())
                    .setWidth(shape.width())
                    .setPixels(ByteBuffer.wrap(window.pixels()))
                    .setCrop(crop)
                    .setPreprocessingVersion(shape.preprocessingVersion())
                    .setModelName(shape.modelName())
                    .setModelVersion(shape.modelVersion())
                    .setSpoolUri(spooled == null ? null : spooled.uri())
                    .setCreatedAt(provenance.receivedAt())
                    .build());
        }
        return clips;
    }

    /** The dead letter of a rejected instance: the reason and where the file is kept, never its bytes or patient data. */
    DeadLetter deadLetter(InstanceVerdict.Rejected rejected, String sopInstanceUid, Provenance provenance, SpooledFile spooled) {
        DeadLetter.Builder letter = deadLetters.forSource(provenance.deadLetterSourceKind(), rejected.reasonCode(), rejected.reasonDetail())
                .setCallingAeTitle(provenance.callingAeTitle())
                .setSopInstanceUid(sopInstanceUid);
        if (spooled != null) {
            letter.setSourceUri(spooled.uri()).setPayloadSha256(spooled.sha256()).setPayloadBytes(spooled.bytes());
        }
        return letter.build();
    }

    static CropGeometry crop(PreparedLoop loop, InstanceAttributes attributes) {
        var region = loop.region();
        var box = loop.letterbox();
        return new CropGeometry(new PixelRegion(region.x(), region.y(), region.width(), region.height()), region.source(),
                box.scale(), box.padX(), box.padY(), attributes.pixels().columns(), attributes.pixels().rows());
    }
}

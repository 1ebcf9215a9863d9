package org.echostream.findings.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.echostream.findings.delivery.SendOutcome;
import org.echostream.findings.delivery.Transport;
import org.echostream.findings.dicom.EncodedDocument;

/** A destination that answers what the test scripted (stored when the script is empty) and remembers every send. */
public final class ScriptedTransport implements Transport {

    public record Send(String study, List<EncodedDocument> documents) {
    }

    public final List<Send> sends = new ArrayList<>();
    private final Deque<SendOutcome> script = new ArrayDeque<>();

    public ScriptedTransport then(SendOutcome outcome) {
        script.add(outcome);
        return this;
    }

    @Override
    public String kind() {
        return "DIMSE";
    }

    @Override
    public String describe() {
        return "PACS@test:104";
    }

    @Override
    public SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents) {
        sends.add(new Send(studyInstanceUid, List.copyOf(documents)));
        return script.isEmpty() ? new SendOutcome.Stored("stored (test)") : script.poll();
    }
}

package org.echostream.ingest.pacs;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.pipeline.SpoolFullException;
import org.echostream.dicom.net.CommandSet;
import org.echostream.dicom.net.DimseDataset;
import org.echostream.ingest.scp.IngestContexts;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.dicom.net.Part10Header;
import org.echostream.dicom.net.ScuAssociation;
import org.echostream.dicom.net.StoreStatus;
import org.echostream.dicom.net.TransferSyntaxUid;
import org.echostream.dicom.net.Uid;

/**
 * Query/retrieve over DIMSE on one association (Study Root): C-FIND at study, series and image level, then C-MOVE
 * to our own SCP ({@link MoveRegistry} connects the arriving C-STOREs to the request) or C-GET, whose C-STOREs
 * come back on this association and go into the pipeline before they are answered.
 */
public final class DimseConnection implements PacsConnection {

    static final String STUDY_ROOT_FIND = Uid.STUDY_ROOT_QUERY_RETRIEVE_FIND.value();
    static final String STUDY_ROOT_MOVE = Uid.STUDY_ROOT_QUERY_RETRIEVE_MOVE.value();
    static final String STUDY_ROOT_GET = Uid.STUDY_ROOT_QUERY_RETRIEVE_GET.value();
    private static final List<String> IMPLICIT_LITTLE_ENDIAN = List.of(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value());
    /** A query matching more than this is refused rather than held in memory: narrow the date range. */
    static final int MAX_MATCHES = 100_000;
    private static final int MAX_PDU = 262_144;
    private static final int C_STORE_RQ = CommandSet.C_STORE_RQ;

    private final PacsNode node;
    private final String ourAeTitle;
    private final MoveRegistry moves;
    private final InstanceReceiver receiver;
    private final Duration connectTimeout;
    private final SocketFactory sockets;
    private ScuAssociation association;

    /**
     * @param ourAeTitle our calling AE title, and the C-MOVE destination (our SCP)
     */
    public DimseConnection(PacsNode node, String ourAeTitle, MoveRegistry moves, InstanceReceiver receiver, Duration connectTimeout) {
        this(node, ourAeTitle, moves, receiver, connectTimeout, SocketFactory.getDefault());
    }

    /** @param sockets plain TCP, or the node's DICOM TLS sockets */
    public DimseConnection(PacsNode node, String ourAeTitle, MoveRegistry moves, InstanceReceiver receiver, Duration connectTimeout,
                           SocketFactory sockets) {
        this.sockets = sockets;
        this.node = node;
        this.ourAeTitle = ourAeTitle;
        this.moves = moves;
        this.receiver = receiver;
        this.connectTimeout = connectTimeout;
    }

    private ScuAssociation association() throws PacsException {
        if (association != null && association.isOpen()) {
            return association;
        }
        List<ScuAssociation.Proposal> proposals = new ArrayList<>();
        proposals.add(new ScuAssociation.Proposal(STUDY_ROOT_FIND, IMPLICIT_LITTLE_ENDIAN, false));
        if (node.retrieve() == PacsNode.RetrieveMethod.C_GET) {
            proposals.add(new ScuAssociation.Proposal(STUDY_ROOT_GET, IMPLICIT_LITTLE_ENDIAN, false));
            proposals.addAll(IngestContexts.storageProposals());
        } else {
            proposals.add(new ScuAssociation.Proposal(STUDY_ROOT_MOVE, IMPLICIT_LITTLE_ENDIAN, false));
        }
        try {
            association = ScuAssociation.open(new ScuAssociation.Peer(node.host(), node.port(), node.aeTitle(), ourAeTitle), proposals,
                    connectTimeout, node.timeout(), MAX_PDU, sockets);
            return association;
        } catch (ScuAssociation.RejectedException e) {
            throw new PacsException(e.permanent() ? PacsException.NOT_AUTHORISED : PacsException.PACS_UNREACHABLE, e.getMessage(), !e.permanent(), e);
        } catch (IOException e) {
            throw new PacsException(PacsException.PACS_UNREACHABLE, "cannot associate with " + node.aeTitle() + " at " + node.host() + ":"
                    + node.port() + ": " + e.getMessage(), true, e);
        }
    }

    private int context(ScuAssociation a, String abstractSyntax, String what) throws PacsException {
        int ctx = a.contextFor(abstractSyntax);
        if (ctx < 0) {
            throw new PacsException(PacsException.NOT_AUTHORISED, node.aeTitle() + " did not accept Study Root " + what + " from " + ourAeTitle, false);
        }
        return ctx;
    }

    /** One C-FIND: every answer's top-level attributes. */
    List<Map<Integer, String>> find(Map<Integer, String> keys) throws PacsException {
        ScuAssociation a = association();
        int ctx = context(a, STUDY_ROOT_FIND, "C-FIND");
        int id = a.nextMessageId();
        List<Map<Integer, String>> answers = new ArrayList<>();
        boolean cancelled = false;
        try {
            a.request(ctx, ScuAssociation.cFind(), id, null, DimseDataset.encode(keys));
            while (true) {
                ScuAssociation.Message m = a.receive((c, command) -> null);
                int status = m.command().status() == null ? -1 : m.command().status();
                if (status == 0xFF00 || status == 0xFF01) {
                    if (m.dataset() == null) {
                        continue;
                    }
                    if (answers.size() >= MAX_MATCHES) {
                        if (!cancelled) {
                            a.cancel(ctx, id);
                            cancelled = true;
                        }
                        continue;
                    }
                    answers.add(DimseDataset.decode(m.dataset()));
                } else if (status == 0x0000 || status == 0xFE00) {
                    if (cancelled) {
                        throw new PacsException(PacsException.QUERY_FAILED, "the query matched more than " + MAX_MATCHES
                                + " entries on " + node.name() + ": narrow the date range", false);
                    }
                    return answers;
                } else {
                    throw new PacsException(PacsException.QUERY_FAILED, String.format("%s answered C-FIND with status 0x%04X%s", node.aeTitle(),
                            status, comment(m)), (status & 0xFF00) == 0xA700);
                }
            }
        } catch (IOException e) {
            drop();
            throw new PacsException(PacsException.PACS_UNREACHABLE, "C-FIND to " + node.aeTitle() + " failed: " + e.getMessage(), true, e);
        } catch (IllegalArgumentException e) {
            drop();
            throw new PacsException(PacsException.QUERY_FAILED, "unreadable C-FIND answer from " + node.aeTitle() + ": " + e.getMessage(), true, e);
        }
    }

    @Override
    public List<StudyMatch> findStudies(StudyQuery query) throws PacsException {
        Map<Integer, String> keys = new HashMap<>();
        keys.put(DimseDataset.QUERY_RETRIEVE_LEVEL, "STUDY");
        keys.put(DimseDataset.STUDY_INSTANCE_UID, "");
        keys.put(DimseDataset.STUDY_DATE, query.dateRange());
        keys.put(DimseDataset.MODALITIES_IN_STUDY, "US");
        keys.put(DimseDataset.NUMBER_OF_STUDY_RELATED_INSTANCES, "");
        if (query.patientId() != null) {
            keys.put(DimseDataset.PATIENT_ID, query.patientId());
        }
        if (query.accessionNumber() != null) {
            keys.put(DimseDataset.ACCESSION_NUMBER, query.accessionNumber());
        }
        List<StudyMatch> studies = new ArrayList<>();
        for (Map<Integer, String> answer : find(keys)) {
            String uid = answer.get(DimseDataset.STUDY_INSTANCE_UID);
            String modalities = answer.get(DimseDataset.MODALITIES_IN_STUDY);
            // some PACS ignore Modalities in Study as a matching key: check what they answered
            boolean us = modalities == null || modalities.isEmpty() || List.of(modalities.split("\\\\")).contains("US");
            if (validUid(uid) && us) {
                studies.add(new StudyMatch(uid, answer.getOrDefault(DimseDataset.STUDY_DATE, ""),
                        integer(answer.get(DimseDataset.NUMBER_OF_STUDY_RELATED_INSTANCES))));
            }
        }
        return studies;
    }

    @Override
    public List<InstanceMatch> listInstances(StudyMatch study) throws PacsException {
        Map<Integer, String> seriesKeys = new HashMap<>();
        seriesKeys.put(DimseDataset.QUERY_RETRIEVE_LEVEL, "SERIES");
        seriesKeys.put(DimseDataset.STUDY_INSTANCE_UID, study.studyInstanceUid());
        seriesKeys.put(DimseDataset.SERIES_INSTANCE_UID, "");
        seriesKeys.put(DimseDataset.MODALITY, "");
        List<String> series = new ArrayList<>();
        for (Map<Integer, String> answer : find(seriesKeys)) {
            String uid = answer.get(DimseDataset.SERIES_INSTANCE_UID);
            if (validUid(uid) && "US".equals(answer.get(DimseDataset.MODALITY))) {
                series.add(uid);
            }
        }
        List<InstanceMatch> instances = new ArrayList<>();
        for (String s : series) {
            Map<Integer, String> keys = new HashMap<>();
            keys.put(DimseDataset.QUERY_RETRIEVE_LEVEL, "IMAGE");
            keys.put(DimseDataset.STUDY_INSTANCE_UID, study.studyInstanceUid());
            keys.put(DimseDataset.SERIES_INSTANCE_UID, s);
            keys.put(DimseDataset.SOP_INSTANCE_UID, "");
            keys.put(DimseDataset.SOP_CLASS_UID, "");
            for (Map<Integer, String> answer : find(keys)) {
                String sop = answer.get(DimseDataset.SOP_INSTANCE_UID);
                if (validUid(sop)) {
                    instances.add(new InstanceMatch(study.studyInstanceUid(), s, sop, answer.get(DimseDataset.SOP_CLASS_UID)));
                }
            }
        }
        return instances;
    }

    @Override
    public Map<String, InstanceOutcome> retrieve(Retrieval retrieval) throws PacsException {
        return node.retrieve() == PacsNode.RetrieveMethod.C_GET ? get(retrieval) : move(retrieval);
    }

    private Map<Integer, String> identifier(Retrieval r) {
        Map<Integer, String> keys = new HashMap<>();
        keys.put(DimseDataset.QUERY_RETRIEVE_LEVEL, "IMAGE");
        keys.put(DimseDataset.STUDY_INSTANCE_UID, r.studyInstanceUid());
        keys.put(DimseDataset.SERIES_INSTANCE_UID, r.seriesInstanceUid());
        // UID list matching (PS3.4 C.2.2.2.2): one request for the batch
        keys.put(DimseDataset.SOP_INSTANCE_UID, String.join("\\", r.instances().stream().map(InstanceMatch::sopInstanceUid).toList()));
        return keys;
    }

    private Map<String, InstanceOutcome> move(Retrieval r) throws PacsException {
        ScuAssociation a = association();
        int ctx = context(a, STUDY_ROOT_MOVE, "C-MOVE");
        try (MoveRegistry.Expectation expected = moves.expect(r)) {
            Final last;
            try {
                a.request(ctx, ScuAssociation.cMove(), a.nextMessageId(), ourAeTitle, DimseDataset.encode(identifier(r)));
                last = awaitFinal(a, "C-MOVE", null);
            } catch (IOException e) {
                drop();
                return outcomes(r, expected.arrived(), null, new InstanceOutcome.Missing(PacsException.PACS_UNREACHABLE,
                        "C-MOVE on " + node.aeTitle() + " broke off: " + e.getMessage()));
            }
            return outcomes(r, expected.arrived(), last, null);
        }
    }

    private Map<String, InstanceOutcome> get(Retrieval r) throws PacsException {
        ScuAssociation a = association();
        int ctx = context(a, STUDY_ROOT_GET, "C-GET");
        Map<String, InstanceOutcome.Received> arrived = new LinkedHashMap<>();
        try {
            a.request(ctx, ScuAssociation.cGet(), a.nextMessageId(), null, DimseDataset.encode(identifier(r)));
            Final last = awaitFinal(a, "C-GET", new GetStores(a, r, arrived));
            return outcomes(r, arrived, last, null);
        } catch (IOException e) {
            drop();
            return outcomes(r, arrived, null, new InstanceOutcome.Missing(PacsException.PACS_UNREACHABLE,
                    "C-GET on " + node.aeTitle() + " broke off: " + e.getMessage()));
        }
    }

    /** The final response of a C-MOVE or C-GET. */
    private record Final(int status, Integer completed, Integer failed, String comment) {
    }

    /** Reads responses (and, for C-GET, the C-STOREs in between) until the final one. */
    private Final awaitFinal(ScuAssociation a, String what, GetStores stores) throws IOException {
        while (true) {
            ScuAssociation.Message m = a.receive(stores == null ? (c, command) -> null : stores);
            Integer field = m.command().commandField();
            if (stores != null && field != null && field == C_STORE_RQ) {
                stores.stored(m);
                continue;
            }
            int status = m.command().status() == null ? -1 : m.command().status();
            if (status == 0xFF00 || status == 0xFF01) {
                continue;
            }
            return new Final(status, m.command().completed(), m.command().failed(), comment(m));
        }
    }

    /** C-STORE sub-operations of a C-GET: spooled as they stream in, ingested, then answered. */
    private final class GetStores implements ScuAssociation.DatasetTarget {
        private final ScuAssociation a;
        private final Retrieval r;
        private final Map<String, InstanceOutcome.Received> arrived;
        private InstanceReceiver.Receipt receipt;
        private IngestResult refused;

        GetStores(ScuAssociation a, Retrieval r, Map<String, InstanceOutcome.Received> arrived) {
            this.a = a;
            this.r = r;
            this.arrived = arrived;
        }

        @Override
        public OutputStream open(int contextId, ScuAssociation.CommandView command) throws IOException {
            Integer field = command.commandField();
            if (field == null || field != C_STORE_RQ) {
                return null;
            }
            refused = null;
            try {
                receipt = receiver.begin();
            } catch (SpoolFullException e) {
                refused = new IngestResult.Refused(IngestResult.Refusal.SPOOL_FULL, e.getMessage());
                return OutputStream.nullOutputStream();
            }
            byte[] header = Part10Header.of(command.affectedSopClassUid(), command.affectedSopInstanceUid(), a.transferSyntaxOf(contextId),
                    node.aeTitle());
            OutputStream out = receipt.stream();
            out.write(header);
            return out;
        }

        void stored(ScuAssociation.Message m) throws IOException {
            String sop = m.command().affectedSopInstanceUid();
            IngestResult result;
            long bytes = 0;
            if (refused != null || receipt == null) {
                result = refused != null ? refused : new IngestResult.Refused(IngestResult.Refusal.STORAGE_ERROR, "no data set received");
            } else {
                try (InstanceReceiver.Receipt done = receipt) {
                    result = done.complete(Provenance.backfill(r.jobId(), node.aeTitle(), receiver.clock().instant(), r.session()), sop);
                    bytes = done.bytes();
                }
            }
            receipt = null;
            StoreStatus status = IngestingStoreHandler.statusOf(result);
            a.respondToStore(m.contextId(), m.command(), status);
            if (sop != null) {
                arrived.put(sop, new InstanceOutcome.Received(result, bytes));
            }
        }
    }

    /** An outcome for every requested instance: what arrived, and why the others did not. */
    private Map<String, InstanceOutcome> outcomes(Retrieval r, Map<String, InstanceOutcome.Received> arrived, Final last,
                                                  InstanceOutcome.Missing broken) {
        Map<String, InstanceOutcome> out = new LinkedHashMap<>();
        boolean success = last != null && (last.status() == 0x0000 || last.status() == 0xB000);
        boolean noneArrived = r.instances().stream().noneMatch(i -> arrived.containsKey(i.sopInstanceUid()));
        String verb = node.retrieve() == PacsNode.RetrieveMethod.C_GET ? "C-GET" : "C-MOVE";
        for (InstanceMatch i : r.instances()) {
            InstanceOutcome.Received got = arrived.get(i.sopInstanceUid());
            if (got != null) {
                out.put(i.sopInstanceUid(), got);
            } else if (broken != null) {
                out.put(i.sopInstanceUid(), broken);
            } else if (success && noneArrived) {
                out.put(i.sopInstanceUid(), new InstanceOutcome.Missing(InstanceOutcome.RETRIEVE_ZERO_INSTANCES, String.format(
                        "%s on %s answered 0x%04X (%s completed) but none of the %d instances arrived", verb, node.aeTitle(), last.status(),
                        last.completed() == null ? "?" : last.completed(), r.instances().size())));
            } else if (success) {
                out.put(i.sopInstanceUid(), new InstanceOutcome.Missing(InstanceOutcome.RETRIEVE_INCOMPLETE, String.format(
                        "%s on %s answered 0x%04X but this instance never arrived (%s failed sub-operations)", verb, node.aeTitle(), last.status(),
                        last.failed() == null ? "?" : last.failed())));
            } else {
                out.put(i.sopInstanceUid(), new InstanceOutcome.Missing(PacsException.RETRIEVE_REFUSED, String.format(
                        "%s on %s failed with status 0x%04X%s", verb, node.aeTitle(), last.status(), last.comment())));
            }
        }
        return out;
    }

    private static String comment(ScuAssociation.Message m) {
        String c = m.command().errorComment();
        return c == null || c.isBlank() ? "" : " (" + c.replaceAll("[^\\x20-\\x7E]", "?") + ")";
    }

    static boolean validUid(String uid) {
        return Uid.isValid(uid);
    }

    private static Integer integer(String value) {
        try {
            return value == null || value.isBlank() ? null : Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void drop() {
        if (association != null) {
            association.abort();
            association = null;
        }
    }

    @Override
    public void close() {
        if (association != null) {
            association.release();
            association = null;
        }
    }
}

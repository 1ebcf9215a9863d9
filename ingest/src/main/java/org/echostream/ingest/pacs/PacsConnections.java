package org.echostream.ingest.pacs;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Makes connections to configured nodes: DIMSE associations as our AE title, or DICOMweb over one HTTP client per node. */
public final class PacsConnections {

    private final String ourAeTitle;
    private final MoveRegistry moves;
    private final InstanceReceiver receiver;
    private final Duration connectTimeout;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /** @param ourAeTitle our calling AE title and C-MOVE destination (this service's SCP) */
    public PacsConnections(String ourAeTitle, MoveRegistry moves, InstanceReceiver receiver, Duration connectTimeout) {
        this.ourAeTitle = ourAeTitle;
        this.moves = moves;
        this.receiver = receiver;
        this.connectTimeout = connectTimeout;
    }

    public PacsConnection.Factory factory(PacsNode node) {
        if (node.retrieve() == PacsNode.RetrieveMethod.WADO_RS) {
            HttpClient http = clients.computeIfAbsent(node.name(), n -> HttpClient.newBuilder().connectTimeout(connectTimeout)
                    .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build());
            return () -> new DicomWebConnection(node, http, receiver);
        }
        return () -> new DimseConnection(node, ourAeTitle, moves, receiver, connectTimeout);
    }
}

package org.echostream.ingest.pacs;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import org.echostream.dicom.net.DicomTls;

/** Makes connections to configured nodes: DIMSE associations as our AE title, or DICOMweb over one HTTP client per node. */
public final class PacsConnections {

    private final String ourAeTitle;
    private final MoveRegistry moves;
    private final InstanceReceiver receiver;
    private final Duration connectTimeout;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, SocketFactory> sockets = new ConcurrentHashMap<>();

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
        SocketFactory dimse = node.tls() == null ? SocketFactory.getDefault() : sockets.computeIfAbsent(node.name(), n -> tls(node));
        return () -> new DimseConnection(node, ourAeTitle, moves, receiver, connectTimeout, dimse);
    }

    /** The node's DICOM TLS sockets, its PEM files read once. */
    private static SocketFactory tls(PacsNode node) {
        try {
            return DicomTls.of(node.tls()).sockets();
        } catch (IOException e) {
            throw new IllegalStateException("PACS node " + node.name() + ": " + e.getMessage(), e);
        }
    }
}

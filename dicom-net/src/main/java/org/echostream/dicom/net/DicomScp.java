package org.echostream.dicom.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The C-STORE / C-ECHO service class provider: listens, and serves each association on its own thread.
 * A connection counts against nothing but {@code maxPendingConnections} until its A-ASSOCIATE-RQ is
 * complete, and the association-request timer (ARTIM) closes it if that takes too long, so idle or
 * trickling connections cannot take the places of real senders. Associations beyond the total, per
 * calling AE or per address limits are rejected during negotiation (transient, local limit exceeded),
 * never closed silently; connections beyond the pending limit are closed at once, so a flood cannot
 * exhaust threads.
 */
public final class DicomScp implements AutoCloseable {

    private final ScpSettings settings;
    private final DicomTls tls;
    private final StoreHandler handler;
    private final ScpListener listener;
    private final AssociationCounts counts;
    private final AtomicInteger pending = new AtomicInteger();
    private final ScheduledExecutorService timers;
    private final AtomicLong counter = new AtomicLong();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private ServerSocket server;
    private Thread acceptor;

    public DicomScp(ScpSettings settings, StoreHandler handler, ScpListener listener) {
        this(settings, null, handler, listener);
    }

    /**
     * An SCP whose port speaks DICOM TLS (PS3.15 B.1) when {@code tls} is given. The handshake runs on the
     * association's own thread under ARTIM, so a peer that never completes it holds only a pending place; a peer that
     * speaks plain DICOM to this port fails the handshake and is counted as TLS_HANDSHAKE_FAILED.
     */
    public DicomScp(ScpSettings settings, DicomTls tls, StoreHandler handler, ScpListener listener) {
        this.settings = settings;
        this.tls = tls;
        this.handler = handler;
        this.listener = listener;
        this.counts = new AssociationCounts(settings.maxAssociations(), settings.limits().maxPerCallingAe(), settings.limits().maxPerAddress());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicom-scp-timers");
            t.setDaemon(true);
            return t;
        });
    }

    /** Binds and starts accepting. @throws IOException when the port cannot be bound */
    public synchronized DicomScp start() throws IOException {
        ServerSocket s = tls == null ? new ServerSocket() : tls.serverSockets().createServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()), 50);
        server = s;
        acceptor = new Thread(this::acceptLoop, "dicom-scp-accept-" + s.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                continue;
            }
            if (pending.get() >= settings.limits().maxPendingConnections()) {
                // no A-ASSOCIATE-RQ has been read on this connection yet, so there is nothing to answer with an A-ASSOCIATE-RJ
                closeQuietly(socket);
                listener.associationRejected("?", "TOO_MANY_PENDING_CONNECTIONS");
                continue;
            }
            pending.incrementAndGet();
            connections.add(socket);
            long number = counter.incrementAndGet();
            Thread t = new Thread(() -> {
                try {
                    new Association("dimse-" + number, socket, settings, tls, handler, listener, counts, pending, timers).run();
                } finally {
                    connections.remove(socket);
                }
            }, "dicom-association-" + number);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Whether this port speaks DICOM TLS. */
    public boolean tls() {
        return tls != null;
    }

    public int port() {
        return server.getLocalPort();
    }

    public boolean isListening() {
        return server != null && !server.isClosed() && acceptor != null && acceptor.isAlive();
    }

    public int activeAssociations() {
        return counts.active();
    }

    /** Most associations served at once since the start (a backfill's concurrency shows here too). */
    public int peakAssociations() {
        return counts.peak();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            closeQuietly(server);
        }
        connections.forEach(DicomScp::closeQuietly);
        timers.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing
        }
    }
}

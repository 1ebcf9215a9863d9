package org.echostream.ingest.scp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The C-STORE / C-ECHO service class provider: listens, and serves each association on its own thread.
 * At most {@code maxAssociations} are served; further ones are rejected during negotiation (transient),
 * and connections beyond twice that are closed at once, so a flood cannot exhaust threads.
 */
public final class DicomScp implements AutoCloseable {

    private final ScpSettings settings;
    private final StoreHandler handler;
    private final ScpListener listener;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong counter = new AtomicLong();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private ServerSocket server;
    private Thread acceptor;

    public DicomScp(ScpSettings settings, StoreHandler handler, ScpListener listener) {
        this.settings = settings;
        this.handler = handler;
        this.listener = listener;
    }

    /** Binds and starts accepting. @throws IOException when the port cannot be bound */
    public synchronized DicomScp start() throws IOException {
        ServerSocket s = new ServerSocket();
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
            if (connections.size() >= 2 * settings.maxAssociations()) {
                closeQuietly(socket);
                listener.associationRejected("?", "TOO_MANY_CONNECTIONS");
                continue;
            }
            connections.add(socket);
            long number = counter.incrementAndGet();
            Thread t = new Thread(() -> {
                try {
                    new Association("dimse-" + number, socket, settings, handler, listener, active, peak).run();
                } finally {
                    connections.remove(socket);
                }
            }, "dicom-association-" + number);
            t.setDaemon(true);
            t.start();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public boolean isListening() {
        return server != null && !server.isClosed() && acceptor != null && acceptor.isAlive();
    }

    public int activeAssociations() {
        return active.get();
    }

    /** Most associations served at once since the start (a backfill's concurrency shows here too). */
    public int peakAssociations() {
        return peak.get();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            closeQuietly(server);
        }
        connections.forEach(DicomScp::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing
        }
    }
}

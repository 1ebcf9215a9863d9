package org.echostream.ingest.pacs;

import java.net.URI;
import java.time.Duration;
import org.echostream.dicom.net.DicomTls;

/**
 * A remote PACS this service may query and retrieve from, as configured ({@code echostream.pacs.nodes.<name>}).
 *
 * @param name               the node's name in job parameters
 * @param aeTitle            the PACS's AE title (DIMSE)
 * @param host               its host (DIMSE)
 * @param port               its DICOM port
 * @param dicomWebBase       its DICOMweb root (QIDO-RS, WADO-RS), or null
 * @param credentials        for DICOMweb (HTTP Basic), or null
 * @param retrieve           how instances come: C-MOVE to our SCP, C-GET on our association, or WADO-RS
 * @param maxAssociations    most associations (or HTTP requests) open to the PACS at once
 * @param instancesPerSecond most instances requested per second; 0: no limit
 * @param timeout            longest silence of the PACS on an open association or request
 * @param tls                DICOM TLS for the DIMSE associations (PS3.15 B.1), or null for plain TCP
 */
public record PacsNode(String name, String aeTitle, String host, int port, URI dicomWebBase, Credentials credentials, RetrieveMethod retrieve,
                       int maxAssociations, double instancesPerSecond, Duration timeout, DicomTls.Settings tls) {

    /** A node reached over plain TCP. */
    public PacsNode(String name, String aeTitle, String host, int port, URI dicomWebBase, Credentials credentials, RetrieveMethod retrieve,
                    int maxAssociations, double instancesPerSecond, Duration timeout) {
        this(name, aeTitle, host, port, dicomWebBase, credentials, retrieve, maxAssociations, instancesPerSecond, timeout, null);
    }

    /** How a backfill gets the instances it found. */
    public enum RetrieveMethod {
        /** C-FIND, then C-MOVE to this service's own SCP (the PACS must know our AE title, host and port). */
        C_MOVE,
        /** C-FIND, then C-GET: the PACS sends the instances back on our association (no route to us needed). */
        C_GET,
        /** QIDO-RS search, then WADO-RS multipart retrieve over HTTP(S). */
        WADO_RS
    }

    /** HTTP Basic credentials; the password never appears in logs or messages. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ***]";
        }
    }

    public PacsNode {
        if (maxAssociations < 1) {
            throw new IllegalArgumentException("PACS node " + name + ": max-associations must be at least 1, got " + maxAssociations);
        }
        if (retrieve == RetrieveMethod.WADO_RS && dicomWebBase == null) {
            throw new IllegalArgumentException("PACS node " + name + " retrieves by WADO-RS but has no dicomweb-url");
        }
        if (retrieve != RetrieveMethod.WADO_RS && (aeTitle == null || aeTitle.isBlank() || aeTitle.length() > 16 || host == null || port < 1)) {
            throw new IllegalArgumentException("PACS node " + name + " retrieves by " + retrieve + " but its ae-title (1 to 16 characters), host or port is missing");
        }
    }

    /** Where failures are said to come from, for dead letters: chosen by us, never from attribute values. */
    public String sourceUri() {
        return "pacs:" + name;
    }
}

package org.echostream.findings.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import org.echostream.dicom.net.ScuAssociation;
import org.echostream.dicom.net.Uid;
import org.echostream.findings.dicom.EncodedDocument;

/**
 * A C-STORE SCU for the few documents of one study, over dicom-net's requestor: one association, one presentation
 * context per SOP class proposing Explicit and Implicit VR Little Endian, one C-STORE per document, then release.
 * What delivery adds is the judgement: socket time-outs (a hung PACS must not hang the service) and the exact DIMSE
 * status of each store (out-of-resources is worth a retry, a refusal is not).
 */
public final class DimseTransport implements Transport {

    /**
     * @param maxPduLength largest PDU we accept (announced to the peer)
     * @param sockets      plain TCP, or a DICOM TLS socket factory (PS3.15 B.1)
     */
    public record Settings(String host, int port, String calledAeTitle, String callingAeTitle, Duration connectTimeout,
                           Duration responseTimeout, int maxPduLength, SocketFactory sockets) {
        public Settings {
            checkAe(calledAeTitle, "called");
            checkAe(callingAeTitle, "calling");
            if (sockets == null) {
                sockets = SocketFactory.getDefault();
            }
        }

        public Settings(String host, int port, String calledAeTitle, String callingAeTitle, Duration connectTimeout, Duration responseTimeout,
                        int maxPduLength) {
            this(host, port, calledAeTitle, callingAeTitle, connectTimeout, responseTimeout, maxPduLength, SocketFactory.getDefault());
        }

        private static void checkAe(String ae, String which) {
            if (ae == null || ae.isBlank() || ae.length() > 16 || ae.contains("\\") || !StandardCharsets.US_ASCII.newEncoder().canEncode(ae)) {
                throw new IllegalArgumentException(which + " AE title '" + ae + "' must be 1 to 16 ASCII characters without backslash");
            }
        }
    }

    private static final List<String> SYNTAXES = List.of(EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN, EncodedDocument.IMPLICIT_VR_LITTLE_ENDIAN);

    private final Settings settings;

    public DimseTransport(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String kind() {
        return "DIMSE";
    }

    @Override
    public String describe() {
        return settings.calledAeTitle() + "@" + settings.host() + ":" + settings.port();
    }

    @Override
    public SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents) {
        Set<String> classes = new LinkedHashSet<>();
        documents.forEach(d -> classes.add(d.sopClassUid()));
        List<ScuAssociation.Proposal> proposals = new ArrayList<>();
        classes.forEach(c -> proposals.add(new ScuAssociation.Proposal(c, SYNTAXES, false)));
        ScuAssociation a;
        try {
            a = ScuAssociation.open(new ScuAssociation.Peer(settings.host(), settings.port(), settings.calledAeTitle(), settings.callingAeTitle()),
                    proposals, settings.connectTimeout(), settings.responseTimeout(), settings.maxPduLength(), settings.sockets());
        } catch (ScuAssociation.RejectedException e) {
            return rejected(e);
        } catch (IOException e) {
            return failed(e);
        }
        try {
            for (EncodedDocument d : documents) {
                int context = a.contextFor(d.sopClassUid());
                if (context < 0) {
                    a.abort();
                    return new SendOutcome.Refused("SOP_CLASS_NOT_ACCEPTED", describe() + " does not accept " + name(d.sopClassUid())
                            + " (SOP class " + d.sopClassUid() + ") in Explicit or Implicit VR Little Endian: configure the PACS to store it");
                }
                ScuAssociation.CommandView response = a.store(context, d.sopInstanceUid(), d.dataSet(a.transferSyntaxOf(context)));
                SendOutcome refused = judge(response.status() == null ? -1 : response.status(), d);
                if (refused != null) {
                    a.release();
                    return refused;
                }
            }
            a.release();
            return new SendOutcome.Stored(documents.size() + " documents stored at " + describe());
        } catch (IOException e) {
            a.abort();
            return failed(e);
        }
    }

    private SendOutcome failed(IOException e) {
        if (e instanceof ConnectException) {
            return new SendOutcome.Transient("CONNECTION_FAILED", describe() + ": cannot connect (" + e.getMessage() + ")");
        }
        if (e instanceof SocketTimeoutException) {
            return new SendOutcome.Transient("TIMEOUT", describe() + ": no answer within " + settings.responseTimeout().toSeconds()
                    + " s (or no connection within " + settings.connectTimeout().toSeconds() + " s)");
        }
        if (e instanceof ScuAssociation.AbortedException) {
            return new SendOutcome.Transient("ASSOCIATION_ABORTED", describe() + ": " + e.getMessage());
        }
        if (e instanceof SSLException) {
            // a certificate or protocol the peer and we do not share: configuration, not a passing fault
            return new SendOutcome.Refused("TLS_HANDSHAKE_FAILED", describe() + ": DICOM TLS handshake failed (" + e.getMessage()
                    + "): check the trusted CA, the certificates and that the peer's port speaks TLS");
        }
        return new SendOutcome.Transient("CONNECTION_LOST", describe() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Success and the warnings that still store the object; null means stored. */
    private SendOutcome judge(int status, EncodedDocument d) {
        String what = describe() + " answered C-STORE of " + name(d.sopClassUid()) + " " + d.sopInstanceUid() + " with status "
                + String.format(Locale.ROOT, "0x%04X", status);
        if (status == 0x0000 || status == 0xB000 || status == 0xB006 || status == 0xB007 || status == 0x0107 || status == 0x0116) {
            return null;
        }
        if ((status & 0xFF00) == 0xA700) {
            return new SendOutcome.Transient("OUT_OF_RESOURCES", what + " (out of resources)");
        }
        return new SendOutcome.Refused("STORE_REFUSED", what + ((status & 0xFF00) == 0xA900 ? " (data set does not match SOP class)"
                : (status & 0xF000) == 0xC000 ? " (cannot understand)" : ""));
    }

    private SendOutcome rejected(ScuAssociation.RejectedException e) {
        String why = e.reasonText();
        String detail = describe() + " rejected the association (result " + e.result() + ", source " + e.source() + ", reason " + e.reason()
                + (why.isEmpty() ? "" : ": " + why) + ")";
        // result 1 is permanent (e.g. unknown calling AE title: a configuration to fix), 2 transient (busy)
        return e.result() == 2 ? new SendOutcome.Transient("ASSOCIATION_REJECTED", detail)
                : new SendOutcome.Refused("ASSOCIATION_REJECTED", detail + ": check the called and calling AE titles at both ends");
    }

    private static String name(String sopClassUid) {
        Uid uid = Uid.of(sopClassUid);
        return uid == null ? "SOP class" : uid.title();
    }
}

package org.echostream.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.echostream.contracts.security.SignInSettings;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.dicom.net.DicomTls;
import org.echostream.dicom.net.ScpLimits;
import org.echostream.dicom.net.TlsClientKeys;

/** Settings of the ingest service (prefix {@code echostream}); every key is documented in docs/ingest.md. */
@ConfigMapping(prefix = "echostream")
public interface IngestConfig {

    Kafka kafka();

    Model model();

    Spool spool();

    Ingest ingest();

    Scp scp();

    Jobs jobs();

    Pacs pacs();

    Completeness completeness();

    Stow stow();

    /** Set by the command line ({@code ingest} or {@code inspect}): run that command instead of serving. */
    Optional<String> command();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();

        /** Transactional id of the service's producer; stable, so a restart aborts what a crashed run left open. */
        @WithDefault("echostream-ingest")
        String transactionalId();

        /** Longest wait for Kafka to acknowledge an instance's transaction before it is refused (A700 to a C-STORE). */
        @WithDefault("20s")
        Duration publishTimeout();

        /** Longest wait for the instances ledger to load at start. */
        @WithDefault("120s")
        Duration ledgerLoadTimeout();
    }

    interface Model {
        /** Folder of the model release whose manifest.json defines clip length, size and rate (relative to the working directory). */
        @WithDefault("model/release")
        String dir();
    }

    interface Spool {
        /** Folder where original DICOM files are kept (claim-check), named by content hash. */
        @WithDefault("${ECHOSTREAM_DATA_DIR:.data}/spool")
        String dir();

        /** Free disk space the spool keeps: below it new instances are refused (out of resources) rather than lost. */
        @WithDefault("536870912")
        long minFreeBytes();
    }

    interface Ingest {
        /** Largest instance accepted, bytes (C-STORE or file). */
        @WithDefault("536870912")
        long maxFileBytes();

        /** Largest data set a deflated instance may inflate to, bytes. */
        @WithDefault("536870912")
        long maxInflatedBytes();

        /** Most frames decoded from one instance. */
        @WithDefault("4000")
        int maxFrames();

        /** Most bytes of grayscale frames (frames x rows x columns) decoded from one instance. */
        @WithDefault("268435456")
        long maxDecodedBytes();

        /**
         * Most bytes one decoded frame may occupy before it is turned to grey (rows x columns x samples x 1 for
         * 8-bit samples, 4 for wider ones): checked before a codec or buffer sees the geometry.
         */
        @WithDefault("67108864")
        long maxFrameBytes();

        /**
         * Most bytes of decoded pixel data one instance may declare (frames x rows x columns x samples x bytes
         * per sample); the default is six times the grey cap (three 16-bit samples), so only declarations
         * beyond any image the grey cap admits are refused by it.
         */
        @WithDefault("1610612736")
        long maxDecodedPixelBytes();

        /**
         * Longest the decode of one instance may take: past it the instance is rejected as DECODE_TIMEOUT and the
         * decode thread is interrupted and abandoned, so a codestream that makes a codec spin holds no slot.
         */
        @WithDefault("30s")
        Duration decodeTimeout();

        /**
         * Decode threads at most: the instances decoded at once (concurrent-instances) plus room for decodes abandoned
         * after their budget that still run (each keeps what it allocated until it ends, so the room is small); with all
         * taken, a further instance is refused as DECODE_TIMEOUT.
         */
        @WithDefault("4")
        int decodeThreads();

        /** Deepest sequence nesting accepted. */
        @WithDefault("16")
        int maxSequenceDepth();

        /** Instances decoded at the same time (each holds its loop in memory). */
        @WithDefault("2")
        int concurrentInstances();

        /** Frames between clip starts; absent: the manifest's horizonFrames, as prep-1 defines. */
        Optional<Integer> clipStrideFrames();

        /** Clips a loop must give to be scored (2: a clip and the next one it predicts). */
        @WithDefault("2")
        int minClips();

        /** Grey levels a pixel's range over the loop must exceed to count as moving, when the sector is detected from pixels. */
        @WithDefault("10")
        int motionThreshold();

        /** Smallest detected sector, as a fraction of the frame, that counts as a moving image. */
        @WithDefault("0.01")
        double minSectorFraction();

        /** Image Type (value 3 on) or Body Part Examined values that mark an ultrasound image as not cardiac. */
        @WithDefault("OBSTETRICAL,GYNECOLOGY,ABDOMINAL,ABDOM,ABDOMEN,PELVIC,PELVIS,BREAST,SMALL PARTS,VASCULAR,MUSCULOSKELETAL,"
                + "TRANSVAGINAL,ENDOVAGINAL,TRANSRECTAL,ENDORECTAL,SCROTAL,OPHTHALMIC,NEONATAL HEAD,RETROPERITONEAL,THYROID,KIDNEY,LIVER")
        List<String> nonCardiacTerms();

        /** Files per second a folder import may take at most; 0: no limit. */
        @WithDefault("50")
        double importFilesPerSecond();

        /** Retries of a file refused by Kafka or the spool before an import stops (resumable). */
        @WithDefault("5")
        int importRetries();

        /** Wait before the first retry, doubled for each next one. */
        @WithDefault("1s")
        Duration importRetryBackoff();
    }

    interface Scp {
        /** Serve DICOM C-STORE and C-ECHO (off in command mode). */
        @WithDefault("true")
        boolean enabled();

        /** Our Application Entity title. */
        @WithDefault("ECHOSTREAM")
        String aeTitle();

        /** Address the SCP listens on: loopback in the local run; the Kubernetes manifests open it explicitly. */
        @WithDefault("127.0.0.1")
        String bindAddress();

        /** TCP port of the SCP (bin/echostream passes ECHOSTREAM_DICOM_PORT). */
        @WithDefault("${ECHOSTREAM_DICOM_PORT:11112}")
        int port();

        /** Calling AE titles accepted; absent or empty: any, but only on a loopback bind address (see acceptAnyCallingAe). */
        Optional<List<String>> allowedCallingAeTitles();

        /** A bind address other than loopback with no allow-list refuses to start unless this says any caller is meant. */
        @WithDefault("false")
        boolean acceptAnyCallingAe();

        /** Associations served at once; more are rejected as a transient local limit. */
        @WithDefault("8")
        int maxAssociations();

        /** Largest P-DATA PDU accepted (announced to the peer), bytes. */
        @WithDefault("262144")
        int maxPduLength();

        /** Silence after which an association is aborted. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** ARTIM: longest time from connect to a complete A-ASSOCIATE-RQ; then the connection is closed. */
        @WithDefault("10s")
        Duration associationRequestTimeout();

        /** Longest a write to the peer may block (a peer that stops reading); then the association is dropped. */
        @WithDefault("30s")
        Duration writeTimeout();

        /** Longest an association may last from acceptance, however busy; then it is aborted. */
        @WithDefault("1h")
        Duration maxAssociationLifetime();

        /** Associations one calling AE title may hold at once; more are rejected (transient, local limit exceeded). */
        @WithDefault("6")
        int maxAssociationsPerCallingAe();

        /** Associations one remote address may hold at once; more are rejected (transient, local limit exceeded). */
        @WithDefault("6")
        int maxAssociationsPerAddress();

        /** Connections still waiting for their A-ASSOCIATE-RQ held at once; further connections are closed. */
        @WithDefault("128")
        int maxPendingConnections();

        default ScpLimits limits() {
            return new ScpLimits(associationRequestTimeout(), writeTimeout(), maxAssociationLifetime(), maxAssociationsPerCallingAe(),
                    maxAssociationsPerAddress(), maxPendingConnections());
        }

        /** DICOM TLS (PS3.15 Annex B, BCP 195 profile): a second SCP port beside the plain one, same AE title and limits. */
        Tls tls();
    }

    /**
     * The DICOM TLS port of the SCP. Its keys default to the ECHOSTREAM_DICOM_TLS_* variables the Kubernetes manifests
     * set, and the files to where the manifests mount the {@code echostream-dicom-tls} secret.
     */
    interface Tls {
        /** Open the DICOM TLS port (off in the local run). */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_ENABLED:false}")
        boolean enabled();

        /** TCP port of the DICOM TLS SCP (2762 is the port IANA registered for DICOM over TLS). */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_PORT:2762}")
        int port();

        /** PEM certificate chain of the SCP, its own certificate first. */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_CERTIFICATE_FILE:/etc/echostream/dicom-tls/tls.crt}")
        String certificateFile();

        /** PEM private key of that certificate, unencrypted (PKCS#8, or PKCS#1 for RSA). */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_KEY_FILE:/etc/echostream/dicom-tls/tls.key}")
        String keyFile();

        /** PEM certificates of the CAs that sign the senders' client certificates; read only with client-authentication=required. */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_TRUST_FILE:/etc/echostream/dicom-tls/ca.crt}")
        String trustFile();

        /**
         * none: any TLS client, the AE allow-list decides; required: a certificate signed by the trusted CAs whose subject CN is
         * the calling AE title.
         */
        @WithDefault("${ECHOSTREAM_DICOM_TLS_CLIENT_AUTHENTICATION:none}")
        DicomTls.ClientAuthentication clientAuthentication();

        /** Enabled protocols, a subset of TLSv1.3,TLSv1.2 (BCP 195). */
        @WithDefault("TLSv1.3,TLSv1.2")
        List<String> protocols();

        /** Enabled cipher suites, a subset of the BCP 195 AEAD suites with forward secrecy (the default is all of them). */
        @WithDefault("TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
                + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
                + "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
        List<String> cipherSuites();

        default DicomTls.Settings settings() {
            boolean required = clientAuthentication() == DicomTls.ClientAuthentication.REQUIRED;
            return new DicomTls.Settings(Path.of(certificateFile()), Path.of(keyFile()), required ? Path.of(trustFile()) : null, protocols(),
                    cipherSuites(), clientAuthentication(), false);
        }
    }

    interface Jobs {
        /** Carry out batch jobs from the job-commands topic (off in command mode). */
        @WithDefault("true")
        boolean enabled();

        /** Consumer group of the job-commands topic. */
        @WithDefault("echostream-ingest-jobs")
        String groupId();

        /** Folders under which a job may import; paths elsewhere fail the job. */
        @WithDefault(".")
        List<String> allowedRoots();

        /** How often a running job publishes its progress. */
        @WithDefault("2s")
        Duration statusInterval();
    }

    interface Pacs {
        /** Remote PACS nodes a backfill may query, by name (the job's {@code node} parameter); none by default. */
        Map<String, Node> nodes();

        /** Longest wait to open a connection to a PACS. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Most instances of one series asked for in one retrieval (a C-MOVE or C-GET UID list). */
        @WithDefault("20")
        int batchInstances();

        /** Retries of a retrieval or query that failed before its instances are dead-lettered (or the job fails). */
        @WithDefault("3")
        int retries();

        /** Wait before the first retry, doubled for each next one. */
        @WithDefault("2s")
        Duration retryBackoff();

        /** Retrievals in a row that deliver nothing before a backfill stops (a misconfigured route fails fast). */
        @WithDefault("5")
        int maxConsecutiveEmpty();

        /** A PACS node; DICOM TLS for its DIMSE associations through dicom-net's TlsClientKeys (tls-trust-file, ...). */
        interface Node extends TlsClientKeys {
            /** The PACS's AE title (C-FIND, C-MOVE, C-GET). */
            Optional<String> aeTitle();

            /** The PACS's host for DIMSE. */
            Optional<String> host();

            /** The PACS's DICOM port. */
            @WithDefault("104")
            int port();

            /** The PACS's DICOMweb root, e.g. https://pacs.hospital/dicom-web (QIDO-RS, WADO-RS). */
            Optional<String> dicomwebUrl();

            /** How instances are retrieved: c-move (to our SCP), c-get (on our association) or wado-rs. */
            @WithDefault("c-move")
            PacsNode.RetrieveMethod retrieve();

            /** DICOMweb user (HTTP Basic). */
            Optional<String> username();

            /** DICOMweb password; prefer password-file (a mounted secret). */
            Optional<String> password();

            /** File holding the DICOMweb password (first line), e.g. a Kubernetes secret mount. */
            Optional<String> passwordFile();

            /** Most associations (DICOMweb: requests) open to this PACS at once. */
            @WithDefault("2")
            int maxAssociations();

            /** Most instances requested per second from this PACS; 0: no limit. */
            @WithDefault("0")
            double instancesPerSecond();

            /** Longest silence of the PACS on an open association or request. */
            @WithDefault("120s")
            Duration timeout();
        }
    }

    interface Completeness {
        /** Silence after every source of a study finished (association released, STOW-RS answered, import done) before it is final. */
        @WithDefault("30s")
        Duration quietAfterRelease();

        /** Silence after a study's last instance before it is final whatever its sources (aborted associations, restarts). */
        @WithDefault("5m")
        Duration inactivity();

        /** How often due studies are finalised and changed statuses published. */
        @WithDefault("2s")
        Duration checkInterval();
    }

    interface Stow {
        /** Serve STOW-RS (POST /dicomweb/studies) on the HTTP port (off in command mode). */
        @WithDefault("true")
        boolean enabled();

        /** Most instances (parts) in one STOW-RS request. */
        @WithDefault("1000")
        int maxInstances();

        /** Client addresses (IP or CIDR, e.g. 10.20.0.0/16) allowed to post; absent: any (the network policy decides). */
        Optional<List<String>> allowedClients();

        Auth auth();
    }

    /** Who may post: the api's identities, with role sender or admin (docs/ingest.md, "STOW-RS"). */
    interface Auth {
        /**
         * local: HTTP Basic against the local users file the api also reads; oidc: bearer tokens of the hospital's IdP,
         * with the same quarkus.oidc.* settings (issuer, audience, keys) as the api.
         */
        @WithDefault("local")
        SignInSettings.Mode mode();

        /** The local users file (shared with the api: created with random passwords by whichever starts first, mode 600). */
        @WithDefault("${ECHOSTREAM_DATA_DIR:.data}/api-credentials.properties")
        Path credentialsFile();
    }
}

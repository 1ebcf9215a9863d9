package org.echostream.findings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.echostream.dicom.net.TlsClientKeys;

/** Settings of the findings service (prefix {@code echostream}); every key is documented in docs/findings.md. */
@ConfigMapping(prefix = "echostream")
public interface FindingsConfig {

    Kafka kafka();

    Findings findings();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }

    interface Findings {
        /** A complete study is reported once none of its records changed for this long (trailing summaries and events). */
        @WithDefault("10s")
        Duration settle();

        /** How long one poll of the input topics waits for records. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** How often the catch-up at start logs its progress. */
        @WithDefault("5s")
        Duration progressInterval();

        /** Transactional id of the delivery-record producer: a second instance with the same id fences the first, so two never send. */
        @WithDefault("echostream-findings")
        String transactionalId();

        /** Series Number of the SR series (one per study, holding every result version). */
        @WithDefault("9901")
        int srSeriesNumber();

        /** Series Number of the Key Object Selection series. */
        @WithDefault("9902")
        int kosSeriesNumber();

        Device device();

        Destination destination();

        Delivery delivery();
    }

    interface Device {
        /** Device Observer Name in the SR's observer context. */
        @WithDefault("echostream")
        String name();

        /** Manufacturer (General Equipment) and Device Observer Manufacturer. */
        @WithDefault("echostream")
        String manufacturer();

        /** Manufacturer's Model Name and Device Observer Model Name. */
        @WithDefault("echostream findings")
        String modelName();

        /** Device Observer UID; unset = derived from the device name (2.25 UUID form), stable across restarts. */
        Optional<String> observerUid();
    }

    enum TransportKind { FOLDER, DIMSE, STOW_RS }

    interface Destination {
        /** Name recorded with every delivery; changing it sends every result again (to the new destination). */
        @WithDefault("local-folder")
        String name();

        /** FOLDER (Part 10 files, the default for a machine without a PACS), DIMSE (C-STORE) or STOW_RS. */
        @WithDefault("folder")
        TransportKind transport();

        /** FOLDER: where the files go, one sub-folder per study. */
        @WithDefault("${ECHOSTREAM_DATA_DIR:.data}/findings")
        Path folder();

        Dimse dimse();

        StowRs stowRs();
    }

    /** DIMSE destination; DICOM TLS through the tls-trust-file, tls-certificate-file and tls-key-file keys of dicom-net's TlsClientKeys. */
    interface Dimse extends TlsClientKeys {
        /** DIMSE: host name or address of the PACS. */
        @WithDefault("127.0.0.1")
        String host();

        /** DIMSE: its DICOM port. */
        @WithDefault("104")
        int port();

        /** DIMSE: the PACS's AE title (called AE title). */
        @WithDefault("PACS")
        String calledAeTitle();

        /** DIMSE: our AE title (calling AE title); the PACS must know it. */
        @WithDefault("ECHOSTREAM")
        String callingAeTitle();

        /** DIMSE: time to establish the TCP connection. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** DIMSE: longest wait for any answer of the PACS (association, store response). */
        @WithDefault("60s")
        Duration responseTimeout();

        /** DIMSE: largest PDU we accept, announced in the association request. */
        @WithDefault("65536")
        int maxPduLength();
    }

    interface StowRs {
        /** STOW_RS: the DICOMweb service root (documents are POSTed to URL/studies), e.g. https://pacs.example/dicom-web. */
        Optional<URI> url();

        /** STOW_RS: HTTP Basic user name (with the password), if the PACS wants one. */
        Optional<String> username();

        /** STOW_RS: HTTP Basic password; from a Secret, never in a file in the repository. */
        Optional<String> password();

        /** STOW_RS: a file holding a bearer token, read at every send (rotated tokens are picked up); wins over Basic. */
        Optional<Path> bearerTokenFile();

        /** STOW_RS: time to establish the connection. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** STOW_RS: longest wait for the store response. */
        @WithDefault("60s")
        Duration requestTimeout();
    }

    interface Delivery {
        /** Attempts per result version before it is FAILED (dead letter); transient failures only, a refusal fails at once. */
        @WithDefault("8")
        int maxAttempts();

        /** Pause after the first transient failure, doubled after each further one. */
        @WithDefault("10s")
        Duration initialBackoff();

        /** Longest pause between attempts. */
        @WithDefault("10m")
        Duration maxBackoff();
    }
}

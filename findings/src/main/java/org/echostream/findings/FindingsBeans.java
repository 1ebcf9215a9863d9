package org.echostream.findings;

import io.smallrye.common.annotation.Identifier;
import java.util.Map;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.echostream.findings.delivery.Courier;
import org.echostream.findings.delivery.DeliveryLedger;
import org.echostream.findings.delivery.DeliveryMetrics;
import org.echostream.findings.delivery.DeliveryPolicy;
import org.echostream.findings.delivery.DimseTransport;
import org.echostream.findings.delivery.FolderTransport;
import org.echostream.findings.delivery.StowRsTransport;
import org.echostream.findings.delivery.Transport;
import org.echostream.findings.desk.FindingsDesk;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.report.DerivedUids;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.DicomText;
import org.echostream.findings.study.StudyBook;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the pure core from configuration: nothing here decides anything about studies, documents or deliveries. */
class FindingsBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    Transport transport(FindingsConfig config) {
        FindingsConfig.Destination d = config.findings().destination();
        return switch (d.transport()) {
            case FOLDER -> new FolderTransport(d.folder().toAbsolutePath().normalize());
            case DIMSE -> new DimseTransport(new DimseTransport.Settings(d.dimse().host(), d.dimse().port(), d.dimse().calledAeTitle(),
                    d.dimse().callingAeTitle(), d.dimse().connectTimeout(), d.dimse().responseTimeout(), d.dimse().maxPduLength()));
            case STOW_RS -> new StowRsTransport(new StowRsTransport.Settings(
                    d.stowRs().url().orElseThrow(() -> new IllegalStateException(
                            "echostream.findings.destination.transport is STOW_RS but echostream.findings.destination.stow-rs.url is not set")),
                    () -> authorization(d.stowRs()), d.stowRs().connectTimeout(), d.stowRs().requestTimeout()));
        };
    }

    /** Bearer token from its file (read at each send, so a rotated token is used at once), else HTTP Basic, else nothing. */
    private static Optional<String> authorization(FindingsConfig.StowRs s) {
        if (s.bearerTokenFile().isPresent()) {
            try {
                return Optional.of("Bearer " + Files.readString(s.bearerTokenFile().get(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the STOW-RS bearer token file " + s.bearerTokenFile().get(), e);
            }
        }
        if (s.username().isPresent()) {
            String pair = s.username().get() + ":" + s.password().orElse("");
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    @Produces
    @Singleton
    FindingsBuilder builder(FindingsConfig config, @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        FindingsConfig.Device device = config.findings().device();
        String observer = device.observerUid().orElse(DerivedUids.device(device.name()));
        if (!DicomText.isUid(observer)) {
            throw new IllegalStateException("echostream.findings.device.observer-uid '" + observer + "' is not a DICOM UID");
        }
        return new FindingsBuilder(new DocumentSettings(config.findings().srSeriesNumber(), config.findings().kosSeriesNumber(),
                new Equipment(device.manufacturer(), device.modelName(), version, device.name(), observer)));
    }

    @Produces
    @Singleton
    KafkaDeliveryLog deliveryLog(FindingsConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                                 @io.smallrye.common.annotation.Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new KafkaDeliveryLog(bootstrapServers, config.findings().transactionalId(), java.time.Duration.ofSeconds(30), kafka);
    }

    void closeDeliveryLog(@Disposes KafkaDeliveryLog log) {
        log.close();
    }

    @Produces
    @Singleton
    FindingsDesk desk(FindingsConfig config, FindingsBuilder builder, Transport transport, KafkaDeliveryLog log, DeliveryMetrics metrics, Clock clock) {
        FindingsConfig.Delivery d = config.findings().delivery();
        DeliveryLedger ledger = new DeliveryLedger();
        Courier courier = new Courier(builder, new DocumentEncoder(), transport, log, ledger,
                new DeliveryPolicy(d.maxAttempts(), d.initialBackoff(), d.maxBackoff()), config.findings().destination().name(), metrics, clock);
        return new FindingsDesk(new StudyBook(), ledger, courier, config.findings().settle(), clock);
    }
}

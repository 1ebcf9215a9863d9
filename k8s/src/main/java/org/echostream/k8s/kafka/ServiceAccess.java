package org.echostream.k8s.kafka;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;

/**
 * What one service does on Kafka, read from the data flow in docs/architecture.md: the topics it reads and
 * writes, and the name it uses for its consumer group, transactional ids and (Kafka Streams) internal topics.
 * The {@code KafkaUser} ACLs, the KEDA triggers and the tests all derive from this one table.
 *
 * <p>Every service uses one name, {@code echostream-<service>} (its {@code quarkus.application.name}), as
 * consumer group, transactional-id prefix and Kafka Streams {@code application.id}. ACLs grant that name as a
 * <em>prefix</em>, so a service may suffix it (a second group for job commands, the per-task transactional ids
 * Kafka Streams derives) but can never act under another service's name.
 *
 * @param service        short service name (ingest, embedder, anomaly, api, findings)
 * @param reads          topics the service consumes
 * @param writes         topics the service produces to
 * @param transactional  whether it writes in Kafka transactions (needs the transactional-id ACL)
 * @param streamsApp     whether it is a Kafka Streams application (creates its own internal topics)
 */
public record ServiceAccess(String service, List<Topic<?, ?>> reads, List<Topic<?, ?>> writes,
                            boolean transactional, boolean streamsApp) {

    private static final String PREFIX = "echostream-";

    /**
     * Step 1 of the data flow: DICOM in, study/instance/clips out in one transaction; carries out batch jobs; audits
     * every STOW-RS attempt (a write of patient data) on audit.v1 as the api audits its requests.
     */
    public static final ServiceAccess INGEST = new ServiceAccess("ingest",
            // instances.v1 is the import ledger, job-status.v1 the resume cursor (imports, backfills) and study-status.v1
            // the study completeness state restored at start: ingest reads back what it wrote.
            List.of(Topics.JOB_COMMANDS, Topics.INSTANCES, Topics.JOB_STATUS, Topics.STUDY_STATUS),
            List.of(Topics.STUDIES, Topics.STUDY_STATUS, Topics.INSTANCES, Topics.CLIPS, Topics.JOB_STATUS, Topics.DLQ_INGEST, Topics.AUDIT),
            true, false);

    /** Step 2: clips in, latents out, consume-transform-produce in one transaction. */
    public static final ServiceAccess EMBEDDER = new ServiceAccess("embedder",
            List.of(Topics.CLIPS),
            List.of(Topics.LATENTS, Topics.DLQ_EMBEDDER),
            true, false);

    /** Step 3: the Kafka Streams topology (exactly-once v2) from latents to surprise, events and summaries. */
    public static final ServiceAccess ANOMALY = new ServiceAccess("anomaly",
            List.of(Topics.LATENTS),
            List.of(Topics.SURPRISE, Topics.ANOMALY_EVENTS, Topics.SERIES_SUMMARIES, Topics.DLQ_ANOMALY),
            true, true);

    /** Step 4: materialises the read model from the topics, writes audit records and job commands. */
    public static final ServiceAccess API = new ServiceAccess("api",
            // latents.v1 for "similar studies" (pooled latents); instances.v1 for per-instance verdicts;
            // clips.v1 for the cine loop and keyframes of the cleaned sector; feedback.v1 is the api's own record of
            // clinicians' answers, read back at every start.
            List.of(Topics.STUDIES, Topics.STUDY_STATUS, Topics.INSTANCES, Topics.CLIPS, Topics.LATENTS, Topics.SURPRISE,
                    Topics.ANOMALY_EVENTS, Topics.SERIES_SUMMARIES, Topics.JOB_STATUS, Topics.FEEDBACK),
            List.of(Topics.AUDIT, Topics.JOB_COMMANDS, Topics.FEEDBACK, Topics.DLQ_API),
            false, false);

    /**
     * Step 5: findings back to the PACS. Reads studies.v1 (patient and study attributes the SR must carry) and
     * reads back its own deliveries (the record of what was sent); each delivery state is its own transaction.
     */
    public static final ServiceAccess FINDINGS = new ServiceAccess("findings",
            List.of(Topics.STUDIES, Topics.STUDY_STATUS, Topics.INSTANCES, Topics.ANOMALY_EVENTS, Topics.SERIES_SUMMARIES,
                    Topics.FINDINGS_DELIVERIES, Topics.DLQ_FINDINGS),
            List.of(Topics.FINDINGS_DELIVERIES, Topics.DLQ_FINDINGS),
            true, false);

    private static final List<ServiceAccess> ALL = List.of(INGEST, EMBEDDER, ANOMALY, API, FINDINGS);

    public ServiceAccess {
        Objects.requireNonNull(service, "service");
        reads = List.copyOf(reads);
        writes = List.copyOf(writes);
    }

    /** Every service, in data-flow order. */
    public static List<ServiceAccess> all() {
        return ALL;
    }

    public static ServiceAccess of(String service) {
        return ALL.stream().filter(s -> s.service.equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service '" + service + "'; known: "
                        + ALL.stream().map(ServiceAccess::service).toList()));
    }

    /** Consumer group, transactional-id prefix, Streams application.id and KafkaUser name. */
    public String kafkaName() {
        return PREFIX + service;
    }

    /** Every topic the service touches, read or written. */
    public Set<String> topicNames() {
        return Stream.concat(reads.stream(), writes.stream()).map(Topic::name)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
}

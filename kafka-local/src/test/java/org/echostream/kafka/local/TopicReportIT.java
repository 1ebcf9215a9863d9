package org.echostream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalKafkaExtension.class)
class TopicReportIT {

    @Test
    void counts_committed_records_not_offsets(LocalKafka kafka) throws Exception {
        String prefix = "report-" + UUID.randomUUID() + ".";
        String transactional = prefix + "tx";
        String plain = prefix + "plain";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(transactional, 2, (short) 1), new NewTopic(plain, 1, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "producer"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < 3; t++) {           // three commits: three markers per written partition
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(transactional, "k" + t, "v"));
                producer.send(new ProducerRecord<>(transactional, "other" + t, "v"));
                producer.commitTransaction();
            }
            producer.beginTransaction();            // aborted: nobody reading committed data sees it
            producer.send(new ProducerRecord<>(transactional, "aborted", "v"));
            producer.flush();
            producer.abortTransaction();
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(plain, "a", "1"));
            producer.send(new ProducerRecord<>(plain, "b", "2"));
            producer.flush();
        }

        Map<String, Long> counts = TopicReport.count(kafka.bootstrapServers(), prefix);

        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(transactional, 6L, plain, 2L));
    }
}

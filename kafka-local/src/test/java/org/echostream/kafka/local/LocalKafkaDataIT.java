package org.echostream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalKafkaExtension.class)
class LocalKafkaDataIT {

    @Test
    void the_broker_data_folder_is_for_its_own_user_only(LocalKafka kafka) throws Exception {
        // Every topic, the studies (patient names) and the audit trail among them, lives below it.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kafka.dataDir()))).isEqualTo("rwx------");
    }
}

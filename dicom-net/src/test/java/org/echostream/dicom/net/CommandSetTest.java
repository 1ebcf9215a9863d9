package org.echostream.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class CommandSetTest {

    @Test
    void a_store_request_reads_back_with_its_fields() {
        CommandSet c = CommandSet.parse(CommandSet.storeRequest(Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE.value(), 7, "1.2.3.4"));
        assertThat(c.us(CommandSet.COMMAND_FIELD)).isEqualTo(CommandSet.C_STORE_RQ);
        assertThat(c.us(CommandSet.MESSAGE_ID)).isEqualTo(7);
        assertThat(c.uid(CommandSet.AFFECTED_SOP_CLASS_UID)).isEqualTo("1.2.840.10008.5.1.4.1.1.3.1");
        assertThat(c.uid(CommandSet.AFFECTED_SOP_INSTANCE_UID)).as("NUL padding removed").isEqualTo("1.2.3.4");
        assertThat(c.hasDataSet()).isTrue();
    }

    @Test
    void a_response_carries_status_and_a_printable_comment() {
        CommandSet c = CommandSet.parse(CommandSet.response(CommandSet.C_STORE_RQ | CommandSet.RESPONSE_BIT, "1.2", 3,
                StoreStatus.outOfResources("spool\u0007 full"), "1.2.3"));
        assertThat(c.us(CommandSet.STATUS)).isEqualTo(0xA700);
        assertThat(c.us(CommandSet.MESSAGE_ID_RESPONDED_TO)).isEqualTo(3);
        assertThat(c.uid(CommandSet.ERROR_COMMENT)).isEqualTo("spool? full");
        assertThat(c.hasDataSet()).isFalse();
    }

    @Test
    void an_echo_request_has_no_data_set() {
        CommandSet c = CommandSet.parse(CommandSet.echoRequest(1));
        assertThat(c.us(CommandSet.COMMAND_FIELD)).isEqualTo(CommandSet.C_ECHO_RQ);
        assertThat(c.uid(CommandSet.AFFECTED_SOP_CLASS_UID)).isEqualTo(Uid.VERIFICATION.value());
        assertThat(c.hasDataSet()).isFalse();
    }

    @Test
    void rejects_an_element_longer_than_the_bytes_left_with_the_numbers() {
        byte[] bad = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) 0x0100).putInt(1_000_000)
                .putShort((short) 1).array();
        assertThatThrownBy(() -> CommandSet.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0000,0100) declares 1000000 bytes, 2 are left");
    }

    @Test
    void rejects_elements_outside_group_0000() {
        byte[] bad = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0008).putShort((short) 0x0016).putInt(0).array();
        assertThatThrownBy(() -> CommandSet.parse(bad)).hasMessageContaining("(0008,0016) outside group 0000");
    }
}

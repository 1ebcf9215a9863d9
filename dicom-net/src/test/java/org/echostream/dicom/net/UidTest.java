package org.echostream.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UidTest {

    @Test
    void accepts_digits_and_dots_up_to_64_characters() {
        assertThat(Uid.isValid("1.2.840.10008.5.1.4.1.1.3.1")).isTrue();
        assertThat(Uid.isValid("2.25.210779532406120290123402683262125367061")).isTrue();
        assertThat(Uid.isValid("1.0.2")).as("a component may be 0 itself").isTrue();
        assertThat(Uid.isValid("1." + "2".repeat(62))).as("64 characters").isTrue();
    }

    @Test
    void rejects_what_PS3_5_9_1_forbids() {
        assertThat(Uid.isValid(null)).isFalse();
        assertThat(Uid.isValid("")).isFalse();
        assertThat(Uid.isValid("1." + "2".repeat(63))).as("65 characters").isFalse();
        assertThat(Uid.isValid("1.2.03")).as("leading zero in a component").isFalse();
        assertThat(Uid.isValid("1.2..3")).as("empty component").isFalse();
        assertThat(Uid.isValid("1.2.3.")).as("trailing dot").isFalse();
        assertThat(Uid.isValid(".1.2")).as("leading dot").isFalse();
        assertThat(Uid.isValid("1.2.3a")).as("a letter").isFalse();
        assertThat(Uid.isValid("1.2.3 ")).as("padding left on").isFalse();
        assertThat(Uid.isValid("1.2-3_4")).as("what some vendors slip in").isFalse();
    }

    @Test
    void every_declared_uid_obeys_the_rule_and_is_declared_once() {
        for (Uid u : Uid.values()) {
            assertThat(Uid.isValid(u.value())).as(u.name()).isTrue();
            assertThat(Uid.of(u.value())).isSameAs(u);
        }
        for (TransferSyntaxUid t : TransferSyntaxUid.values()) {
            assertThat(Uid.isValid(t.value())).as(t.name()).isTrue();
            assertThat(TransferSyntaxUid.of(t.value())).isSameAs(t);
            assertThat(Uid.of(t.value())).as("a transfer syntax is not also in the other table").isNull();
        }
        assertThat(Arrays.stream(Uid.values()).map(Uid::value).distinct().count()).isEqualTo(Uid.values().length);
    }

    @Test
    void only_the_first_three_transfer_syntaxes_differ_in_data_set_encoding() {
        assertThat(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.explicitVr()).isFalse();
        assertThat(TransferSyntaxUid.EXPLICIT_VR_BIG_ENDIAN.bigEndian()).isTrue();
        assertThat(TransferSyntaxUid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.deflated()).isTrue();
        assertThat(TransferSyntaxUid.of(" 1.2.840.10008.1.2.5 ")).as("padding is ignored on lookup").isEqualTo(TransferSyntaxUid.RLE_LOSSLESS);
        for (TransferSyntaxUid t : TransferSyntaxUid.values()) {
            if (t.encapsulated()) {
                assertThat(t.explicitVr() && !t.bigEndian() && !t.deflated()).as(t.name()).isTrue();
            }
        }
    }
}

package org.echostream.findings.desk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.delivery.Attempt;
import org.echostream.findings.delivery.Courier;
import org.echostream.findings.delivery.DeliveryLedger;
import org.echostream.findings.delivery.DeliveryMetrics;
import org.echostream.findings.delivery.DeliveryPolicy;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.Applied;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.MemoryDeliveryLog;
import org.echostream.findings.testing.MutableClock;
import org.echostream.findings.testing.ScriptedTransport;
import org.junit.jupiter.api.Test;

/** The desk as the feed drives it, with records as bytes off the topics: what is sent, when, and what is refused. */
class FindingsDeskTest {

    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(EchoStudy.T0);
    private final MemoryDeliveryLog log = new MemoryDeliveryLog();
    private final ScriptedTransport transport = new ScriptedTransport();
    private final EchoStudy echo = new EchoStudy("1.2.826.0.1.3680043.8.498.77");

    private FindingsDesk desk(DeliveryLedger ledger) {
        Courier courier = new Courier(new FindingsBuilder(new DocumentSettings(9901, 9902, new Equipment("e", "m", "1", "e", "2.25.7"))),
                new DocumentEncoder(), transport, log, ledger, new DeliveryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1)), "pacs",
                DeliveryMetrics.NONE, clock);
        return new FindingsDesk(new StudyBook(), ledger, courier, SETTLE, clock);
    }

    private static void feed(FindingsDesk desk, EchoStudy echo) {
        desk.apply(Topics.STUDIES.name(), key(echo.study), AvroSerde.of(StudyRecord.class).encode(echo.record));
        var instances = AvroSerde.of(InstanceRecord.class);
        echo.instances.forEach(i -> desk.apply(Topics.INSTANCES.name(), key(i.getSopInstanceUid()), instances.encode(i)));
        var summaries = AvroSerde.of(SeriesSummary.class);
        echo.summaries.forEach(s -> desk.apply(Topics.SERIES_SUMMARIES.name(), key(s.getSeriesInstanceUid()), summaries.encode(s)));
        var events = AvroSerde.of(AnomalyEvent.class);
        echo.events.forEach(e -> desk.apply(Topics.ANOMALY_EVENTS.name(), key(e.getSeriesInstanceUid()), events.encode(e)));
        desk.apply(Topics.STUDY_STATUS.name(), key(echo.study), AvroSerde.of(StudyStatus.class).encode(echo.status));
    }

    private static byte[] key(String uid) {
        return uid.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void refuses_to_deliver_before_every_earlier_delivery_was_read() {
        FindingsDesk desk = desk(new DeliveryLedger());
        feed(desk, echo);

        assertThatThrownBy(desk::work).isInstanceOf(IllegalStateException.class).hasMessageContaining("caughtUp");
        assertThat(transport.sends).isEmpty();
    }

    @Test
    void sends_a_final_study_once_after_it_settled() {
        FindingsDesk desk = desk(new DeliveryLedger());
        feed(desk, echo);
        desk.caughtUp();

        assertThat(desk.work()).as("still settling").isEmpty();
        clock.advance(SETTLE);
        var handled = desk.work();
        clock.advance(Duration.ofMinutes(5));
        var again = desk.work();

        assertThat(handled).singleElement().satisfies(h -> assertThat(h.attempt()).isInstanceOf(Attempt.Delivered.class));
        assertThat(again).isEmpty();
        assertThat(transport.sends).hasSize(1);
        assertThat(desk.pending()).isZero();
    }

    @Test
    void a_delivery_read_back_at_start_keeps_the_same_result_from_being_sent_again() {
        DeliveryLedger firstLedger = new DeliveryLedger();
        FindingsDesk first = desk(firstLedger);
        feed(first, echo);
        first.caughtUp();
        clock.advance(SETTLE);
        first.work();
        FindingsDelivery delivered = log.deliveries.get(log.deliveries.size() - 1);

        // a restart: a new desk reads the inputs and the deliveries topic from the start
        FindingsDesk restarted = desk(new DeliveryLedger());
        feed(restarted, echo);
        var deliveries = AvroSerde.of(FindingsDelivery.class);
        for (FindingsDelivery d : log.deliveries) {
            restarted.apply(Topics.FINDINGS_DELIVERIES.name(), key(d.getStudyInstanceUid()), deliveries.encode(d));
        }
        restarted.caughtUp();
        clock.advance(SETTLE);

        assertThat(restarted.work()).isEmpty();
        assertThat(transport.sends).hasSize(1);
        assertThat(delivered.getState().name()).isEqualTo("DELIVERED");
    }

    @Test
    void rejects_an_undecodable_record_with_a_reason_and_still_reports_the_study() {
        FindingsDesk desk = desk(new DeliveryLedger());

        Applied poison = desk.apply(Topics.SERIES_SUMMARIES.name(), key(echo.a4c), new byte[] {1, 2, 3});
        feed(desk, echo);
        desk.caughtUp();
        clock.advance(SETTLE);

        assertThat(poison).isInstanceOfSatisfying(Applied.Invalid.class, i -> assertThat(i.reasonCode()).isNotBlank());
        assertThat(desk.work()).singleElement().satisfies(h -> assertThat(h.attempt()).isInstanceOf(Attempt.Delivered.class));
    }

    @Test
    void rejects_a_delivery_record_keyed_by_another_study() {
        FindingsDesk desk = desk(new DeliveryLedger());
        FindingsDelivery d = FindingsDelivery.newBuilder().setStudyInstanceUid(echo.study).setResultVersion("0123456789abcdef")
                .setStudyStatusVersion(1).setDestination("pacs").setTransport("DIMSE").setState(org.echostream.contracts.DeliveryState.DELIVERED)
                .setSrSopInstanceUid("2.25.1").setSeriesReported(1).setSeriesFlagged(0).setInstancesReferenced(1).setAttempts(1)
                .setUpdatedAt(EchoStudy.T0).build();

        Applied applied = desk.apply(Topics.FINDINGS_DELIVERIES.name(), key("1.2.3"), AvroSerde.of(FindingsDelivery.class).encode(d));

        assertThat(applied).isInstanceOfSatisfying(Applied.Invalid.class, i -> assertThat(i.reasonCode()).isEqualTo("KEY_MISMATCH"));
        assertThat(desk.deliveriesKnown()).isZero();
    }
}

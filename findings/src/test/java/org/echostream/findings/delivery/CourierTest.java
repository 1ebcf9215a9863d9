package org.echostream.findings.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.SeriesSummary;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.findings.report.DerivedUids;
import org.echostream.findings.report.DocumentKind;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.study.StudyResult;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.MemoryDeliveryLog;
import org.echostream.findings.testing.MutableClock;
import org.echostream.findings.testing.ScriptedTransport;
import org.junit.jupiter.api.Test;

class CourierTest {

    private static final DocumentSettings SETTINGS = new DocumentSettings(9901, 9902, new Equipment("echostream", "m", "0.1.0", "echostream", "2.25.1"));

    private final MutableClock clock = new MutableClock(EchoStudy.T0.plusSeconds(600));
    private final MemoryDeliveryLog log = new MemoryDeliveryLog();
    private final ScriptedTransport transport = new ScriptedTransport();
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final EchoStudy echo = new EchoStudy("1.2.826.0.1.3680043.8.498.9");

    private Courier courier() {
        return new Courier(new FindingsBuilder(SETTINGS), new DocumentEncoder(), transport, log, ledger,
                new DeliveryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(5)), "pacs", DeliveryMetrics.NONE, clock);
    }

    private static StudyResult result(EchoStudy echo) {
        var book = echo.into(new StudyBook(), EchoStudy.T0);
        return ((Assessment.Ready) book.assess(echo.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(1))).result();
    }

    @Test
    void sends_the_report_and_the_key_images_once_and_records_each_step() {
        StudyResult r = result(echo);
        Courier courier = courier();

        Attempt first = courier.deliver(r);
        Attempt second = courier.deliver(r);

        assertThat(first).isEqualTo(new Attempt.Delivered(DerivedUids.srInstance(echo.study, r.resultVersion()), 1));
        assertThat(second).isEqualTo(new Attempt.Skipped(new Decision.AlreadyDelivered()));
        assertThat(transport.sends).hasSize(1);
        assertThat(transport.sends.get(0).documents()).extracting(EncodedDocument::sopClassUid)
                .containsExactly(DocumentKind.COMPREHENSIVE_SR.sopClassUid(), DocumentKind.KEY_OBJECT_SELECTION.sopClassUid());
        assertThat(log.deliveries).extracting(FindingsDelivery::getState).containsExactly(DeliveryState.SENDING, DeliveryState.DELIVERED);
        FindingsDelivery delivered = log.deliveries.get(1);
        assertThat(delivered.getResultVersion()).isEqualTo(r.resultVersion());
        assertThat(delivered.getKosSopInstanceUid()).isEqualTo(DerivedUids.kosInstance(echo.study, r.resultVersion()));
        assertThat(delivered.getSeriesReported()).isEqualTo(2);
        assertThat(delivered.getSeriesFlagged()).isEqualTo(1);
        assertThat(delivered.getInstancesReferenced()).isEqualTo(3);
        assertThat(delivered.getDestination()).isEqualTo("pacs");
    }

    @Test
    void a_transient_failure_is_retried_after_the_back_off_with_the_same_uids() {
        transport.then(new SendOutcome.Transient("CONNECTION_FAILED", "PACS@test:104: cannot connect"));
        StudyResult r = result(echo);
        Courier courier = courier();

        Attempt first = courier.deliver(r);
        Attempt early = courier.deliver(r);
        clock.advance(Duration.ofSeconds(10));
        Attempt retried = courier.deliver(r);

        assertThat(first).isEqualTo(new Attempt.Retrying("CONNECTION_FAILED", clock.instant()));
        assertThat(early).isEqualTo(new Attempt.Skipped(new Decision.RetryAt(clock.instant())));
        assertThat(retried).isInstanceOf(Attempt.Delivered.class);
        assertThat(transport.sends).hasSize(2);
        assertThat(transport.sends.get(1).documents().get(0).sopInstanceUid()).isEqualTo(transport.sends.get(0).documents().get(0).sopInstanceUid());
        assertThat(log.deliveries).extracting(FindingsDelivery::getState)
                .containsExactly(DeliveryState.SENDING, DeliveryState.RETRYING, DeliveryState.SENDING, DeliveryState.DELIVERED);
        assertThat(log.deliveries.get(1).getReasonDetail()).isEqualTo("PACS@test:104: cannot connect");
        assertThat(log.deliveries.get(3).getAttempts()).isEqualTo(2);
    }

    @Test
    void fails_with_a_dead_letter_when_the_attempts_run_out() {
        for (int i = 0; i < 3; i++) {
            transport.then(new SendOutcome.Transient("TIMEOUT", "PACS@test:104: no answer within 60 s"));
        }
        StudyResult r = result(echo);
        Courier courier = courier();

        courier.deliver(r);
        clock.advance(Duration.ofMinutes(1));
        courier.deliver(r);
        clock.advance(Duration.ofMinutes(1));
        Attempt last = courier.deliver(r);
        clock.advance(Duration.ofHours(1));
        Attempt after = courier.deliver(r);

        assertThat(last).isInstanceOf(Attempt.Failed.class);
        assertThat(((Attempt.Failed) last).reasonDetail()).contains("attempt 3 of 3");
        assertThat(after).isEqualTo(new Attempt.Skipped(new Decision.GaveUp("TIMEOUT")));
        assertThat(transport.sends).hasSize(3);
        assertThat(log.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.getService()).isEqualTo("findings");
            assertThat(d.getReasonCode()).isEqualTo("TIMEOUT");
            assertThat(d.getSourceKind()).isEqualTo("DICOM_ASSOCIATION");
            assertThat(d.getSourceKey()).isEqualTo(echo.study);
            assertThat(d.getSopInstanceUid()).isEqualTo(DerivedUids.srInstance(echo.study, r.resultVersion()));
        });
    }

    @Test
    void a_refusal_fails_at_once_without_retrying() {
        transport.then(new SendOutcome.Refused("STORE_REFUSED", "PACS@test:104 answered C-STORE with status 0xA900"));
        StudyResult r = result(echo);

        Attempt a = courier().deliver(r);

        assertThat(a).isEqualTo(new Attempt.Failed("STORE_REFUSED", "PACS@test:104 answered C-STORE with status 0xA900"));
        assertThat(log.deliveries).extracting(FindingsDelivery::getState).containsExactly(DeliveryState.SENDING, DeliveryState.FAILED);
        assertThat(log.deadLetters).hasSize(1);
    }

    @Test
    void nothing_is_sent_when_the_sending_record_cannot_be_written() {
        log.failNext(1);
        StudyResult r = result(echo);
        Courier courier = courier();

        Attempt a = courier.deliver(r);

        assertThat(a).isInstanceOf(Attempt.NotRecorded.class);
        assertThat(transport.sends).isEmpty();
        assertThat(courier.deliver(r)).isInstanceOf(Attempt.Delivered.class);
    }

    @Test
    void after_a_restart_the_ledger_read_back_prevents_a_second_send() {
        StudyResult r = result(echo);
        courier().deliver(r);
        DeliveryLedger restarted = new DeliveryLedger();
        log.deliveries.forEach(d -> restarted.apply(d.getStudyInstanceUid(), d));
        ScriptedTransport after = new ScriptedTransport();

        Attempt a = new Courier(new FindingsBuilder(SETTINGS), new DocumentEncoder(), after, log, restarted,
                new DeliveryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(5)), "pacs", DeliveryMetrics.NONE, clock).deliver(r);

        assertThat(a).isEqualTo(new Attempt.Skipped(new Decision.AlreadyDelivered()));
        assertThat(after.sends).isEmpty();
    }

    @Test
    void a_changed_result_sends_a_new_report_that_names_the_one_it_replaces() throws Exception {
        Courier courier = courier();
        StudyResult v1 = result(echo);
        courier.deliver(v1);
        echo.summaries.set(1, SeriesSummary.newBuilder(echo.summaries.get(1)).setAnomalyScore(0.55).build());
        StudyResult v2 = result(echo);

        Attempt a = courier.deliver(v2);

        assertThat(v2.resultVersion()).isNotEqualTo(v1.resultVersion());
        assertThat(a).isEqualTo(new Attempt.Delivered(DerivedUids.srInstance(echo.study, v2.resultVersion()), 1));
        assertThat(transport.sends).hasSize(2);
        FindingsDelivery latest = log.deliveries.get(log.deliveries.size() - 1);
        assertThat(latest.getSupersedesSrSopInstanceUid()).isEqualTo(DerivedUids.srInstance(echo.study, v1.resultVersion()));
        var sr = new com.pixelmed.dicom.AttributeList();
        sr.read(new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(transport.sends.get(1).documents().get(0).part10())));
        assertThat(sr.get(com.pixelmed.dicom.TagFromName.PredecessorDocumentsSequence)).isNotNull();
    }

    @Test
    void no_key_object_selection_is_sent_when_nothing_is_flagged() {
        echo.summaries.replaceAll(s -> SeriesSummary.newBuilder(s).setFlagged(false).build());

        courier().deliver(result(echo));

        assertThat(transport.sends.get(0).documents()).singleElement().extracting(EncodedDocument::sopClassUid)
                .isEqualTo(DocumentKind.COMPREHENSIVE_SR.sopClassUid());
        assertThat(log.deliveries.get(1).getKosSopInstanceUid()).isNull();
        assertThat(log.deliveries.get(1).getSupersedesSrSopInstanceUid()).isNull();
        assertThat(Optional.ofNullable(log.deliveries.get(1).getKosSopInstanceUid())).isEmpty();
    }
}

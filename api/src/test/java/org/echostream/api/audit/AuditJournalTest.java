package org.echostream.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditJournalTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    /** A broker that takes records while {@code up}; while down it never answers (as a stopped broker does). */
    static final class Broker implements AuditJournal.Sink {
        boolean up = true;
        final List<String> received = new ArrayList<>();

        @Override
        public CompletableFuture<Void> send(String eventId, byte[] value) {
            if (!up) {
                return new CompletableFuture<>();
            }
            received.add(eventId + "=" + new String(value, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }
    }

    final Broker broker = new Broker();

    AuditJournal journal(Optional<Path> backlog, int max) {
        return new AuditJournal(broker, new AuditJournal.Settings(backlog, max, Duration.ofMillis(50)), clock);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_record_the_broker_acknowledges_is_committed_and_nothing_is_queued(@TempDir Path dir) {
        AuditJournal journal = journal(Optional.of(dir.resolve("backlog")), 10);
        assertThat(journal.commit("e-1", bytes("r1")).join()).isInstanceOf(AuditJournal.Durability.Committed.class);
        assertThat(broker.received).containsExactly("e-1=r1");
        assertThat(journal.backlog()).isZero();
    }

    @Test
    void with_the_broker_stopped_a_record_is_fsynced_to_a_private_backlog_and_sent_once_it_is_back(@TempDir Path dir) throws Exception {
        Path backlog = dir.resolve("backlog");
        AuditJournal journal = journal(Optional.of(backlog), 10);
        broker.up = false;
        var first = journal.commit("e-1", bytes("r1")).join();
        var second = journal.commit("e-2", bytes("r2")).join();

        assertThat(first).isInstanceOf(AuditJournal.Durability.Queued.class);
        assertThat(second).isInstanceOf(AuditJournal.Durability.Queued.class);
        Path file = ((AuditJournal.Durability.Queued) first).file();
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes("r1"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backlog))).isEqualTo("rwx------");
        assertThat(journal.backlog()).isEqualTo(2);
        assertThat(journal.drain()).as("broker still down").isZero();

        broker.up = true;
        assertThat(journal.drain()).isEqualTo(2);
        assertThat(broker.received).containsExactly("e-1=r1", "e-2=r2");
        assertThat(journal.backlog()).isZero();
        assertThat(journal.drain()).isZero();
    }

    @Test
    void a_send_that_fails_at_once_is_queued_too(@TempDir Path dir) {
        AuditJournal journal = new AuditJournal((id, value) -> CompletableFuture.failedFuture(new TimeoutException("metadata not available")),
                new AuditJournal.Settings(Optional.of(dir), 10, Duration.ofSeconds(5)), clock);
        var durability = journal.commit("e-1", bytes("r1")).join();
        assertThat(durability).isInstanceOf(AuditJournal.Durability.Queued.class);
        assertThat(((AuditJournal.Durability.Queued) durability).why()).contains("metadata not available");
    }

    @Test
    void without_a_backlog_a_record_the_broker_does_not_take_is_unrecorded_with_the_reason() {
        AuditJournal journal = journal(Optional.empty(), 10);
        broker.up = false;
        var durability = journal.commit("e-1", bytes("r1")).join();
        assertThat(durability).isInstanceOf(AuditJournal.Durability.Unrecorded.class);
        assertThat(((AuditJournal.Durability.Unrecorded) durability).reason())
                .contains("no acknowledgement within the commit timeout").contains("no local audit backlog");
    }

    @Test
    void a_full_backlog_leaves_the_next_record_unrecorded(@TempDir Path dir) {
        AuditJournal journal = journal(Optional.of(dir), 1);
        broker.up = false;
        assertThat(journal.commit("e-1", bytes("r1")).join()).isInstanceOf(AuditJournal.Durability.Queued.class);
        var refused = journal.commit("e-2", bytes("r2")).join();
        assertThat(refused).isInstanceOf(AuditJournal.Durability.Unrecorded.class);
        assertThat(((AuditJournal.Durability.Unrecorded) refused).reason()).contains("is full (1 of 1 records)");
    }
}

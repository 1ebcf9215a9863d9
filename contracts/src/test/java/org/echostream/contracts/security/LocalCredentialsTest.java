package org.echostream.contracts.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCredentialsTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void generates_owner_only_random_passwords_and_reads_them_back(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/api-credentials.properties");
        LocalCredentials created = LocalCredentials.loadOrCreate(file, new SecureRandom(), clock);
        assertThat(created.origin()).isEqualTo(LocalCredentials.Origin.CREATED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        }
        String password = p.getProperty("clinician.password");
        assertThat(password).hasSize(20).isNotEqualTo(p.getProperty("admin.password"));

        LocalCredentials read = LocalCredentials.loadOrCreate(file, new SecureRandom(), clock);
        assertThat(read.origin()).isEqualTo(LocalCredentials.Origin.READ);
        assertThat(read.verify("clinician", password.toCharArray()).orElseThrow().roles()).containsExactly("clinician");
        assertThat(read.verify("clinician", "guess".toCharArray())).isEmpty();
        assertThat(read.verify("nobody", password.toCharArray())).isEmpty();
        assertThat(read.user("admin").orElseThrow().roles()).containsExactlyInAnyOrder("admin", "clinician");
        // the STOW-RS sender may post studies and nothing else: no clinician role, so the api shows it no patient
        assertThat(read.user("sender").orElseThrow().roles()).containsExactly("sender");
    }

    @Test
    void two_installations_get_different_passwords(@TempDir Path dir) throws Exception {
        LocalCredentials.loadOrCreate(dir.resolve("a"), new SecureRandom(), clock);
        LocalCredentials.loadOrCreate(dir.resolve("b"), new SecureRandom(), clock);
        assertThat(Files.readAllLines(dir.resolve("a")).subList(2, 6)).doesNotContainAnyElementsOf(Files.readAllLines(dir.resolve("b")).subList(2, 6).stream()
                .filter(l -> l.contains("password")).toList());
    }

    @Test
    void tightens_a_file_others_can_read(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c");
        Files.writeString(file, "alice.password=secret-enough\nalice.roles=clinician\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        LocalCredentials.loadOrCreate(file, new SecureRandom(), clock);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}

package org.echostream.contracts.security;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The local installation's users: generated on first start with random passwords into a file only its
 * owner can read (mode 600), and read from it afterwards. Three users: {@code clinician} (role clinician),
 * {@code admin} (roles admin and clinician) and {@code sender} (role sender: may post studies to ingest's
 * STOW-RS, nothing else). Nothing is hard-coded; deleting the file and restarting makes new passwords.
 * The api and ingest read the same file (pure Java here, so neither service depends on the other);
 * whichever starts first writes it.
 *
 * <p>File format (Java properties): {@code <user>.password} and {@code <user>.roles} (comma separated).
 * Only SHA-256 digests of the passwords stay in memory, compared in constant time.
 */
public final class LocalCredentials {

    /** @param roles the user's roles, as the security layer checks them */
    public record User(String name, Set<String> roles) {
    }

    /** What {@link #loadOrCreate} did, for the start-up log line. */
    public enum Origin { CREATED, READ }

    public static final Map<String, List<String>> DEFAULT_USERS = defaultUsers();
    /** 20 characters of a 31-letter alphabet without look-alikes (no i, l, o, 0, 1): 99 bits, beyond guessing over HTTP. */
    private static final int PASSWORD_LENGTH = 20;
    private static final char[] ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private record Entry(byte[] digest, Set<String> roles) {
    }

    private final Path file;
    private final Origin origin;
    private final Map<String, Entry> users;

    private LocalCredentials(Path file, Origin origin, Map<String, Entry> users) {
        this.file = file;
        this.origin = origin;
        this.users = users;
    }

    /**
     * Reads the file, or creates it with fresh random passwords when it does not exist. A file readable by
     * others is tightened to 600 (the caller logs the returned origin, never the passwords).
     *
     * @throws IllegalStateException when the file exists but names no usable user
     */
    public static LocalCredentials loadOrCreate(Path file, SecureRandom random, Clock clock) {
        try {
            if (!Files.exists(file)) {
                create(file, random, clock);
                return read(file, Origin.CREATED);
            }
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            return read(file, Origin.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("credentials file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public Origin origin() {
        return origin;
    }

    public Set<String> userNames() {
        return users.keySet();
    }

    /** A user by name, for a session cookie that already proved the password. */
    public Optional<User> user(String name) {
        Entry entry = name == null ? null : users.get(name);
        return entry == null ? Optional.empty() : Optional.of(new User(name, entry.roles()));
    }

    /** The user when name and password match; empty otherwise (unknown user and wrong password look alike). */
    public Optional<User> verify(String name, char[] password) {
        Entry entry = name == null ? null : users.get(name);
        byte[] given = digest(password == null ? new char[0] : password);
        // Compare even for an unknown user, so the answer takes as long either way.
        boolean same = MessageDigest.isEqual(entry == null ? new byte[given.length] : entry.digest(), given);
        return entry != null && same ? Optional.of(new User(name, entry.roles())) : Optional.empty();
    }

    private static void create(Path file, SecureRandom random, Clock clock) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        StringBuilder text = new StringBuilder()
                .append("# echostream: local users (api and ingest STOW-RS), generated ").append(clock.instant()).append(".\n")
                .append("# Readable by its owner only. Delete this file and restart for new passwords.\n");
        for (var user : DEFAULT_USERS.entrySet()) {
            text.append(user.getKey()).append(".password=").append(password(random)).append('\n')
                    .append(user.getKey()).append(".roles=").append(String.join(",", user.getValue())).append('\n');
        }
        try {
            // Created with owner-only permissions, so the passwords are never readable by others, not even briefly.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            return; // another service on the same data folder was first; read what it wrote
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static LocalCredentials read(Path file, Origin origin) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        }
        Map<String, Entry> users = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            if (!key.endsWith(".password")) {
                continue;
            }
            String name = key.substring(0, key.length() - ".password".length());
            String password = props.getProperty(key);
            String roles = props.getProperty(name + ".roles", "");
            if (password.isBlank() || roles.isBlank()) {
                throw new IllegalStateException("credentials file " + file + ": user '" + name + "' needs a password and at least one role");
            }
            users.put(name, new Entry(digest(password.toCharArray()),
                    Set.copyOf(Arrays.stream(roles.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList())));
        }
        if (users.isEmpty()) {
            throw new IllegalStateException("credentials file " + file + " names no user: delete it and restart to generate one");
        }
        return new LocalCredentials(file, origin, Map.copyOf(users));
    }

    private static String password(SecureRandom random) {
        char[] chars = new char[PASSWORD_LENGTH];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    private static byte[] digest(char[] password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(new String(password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static Map<String, List<String>> defaultUsers() {
        Map<String, List<String>> users = new LinkedHashMap<>();
        users.put("clinician", List.of("clinician"));
        users.put("admin", List.of("admin", "clinician"));
        users.put("sender", List.of("sender"));
        return java.util.Collections.unmodifiableMap(users);
    }
}

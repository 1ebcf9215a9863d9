package org.echostream.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration one service reads, collected from its sources (this module depends on no service, so it reads
 * their files): every key of its {@code @ConfigMapping} interfaces (nested interfaces and maps followed, names
 * kebab-cased as SmallRye does), every {@code @ConfigProperty(name = ...)}, every key of its application.properties,
 * every environment variable it names as {@code ${NAME:default}}, and the Quarkus extensions it depends on.
 *
 * @param keys       config keys; {@code *} stands for one map key (e.g. {@code echostream.pacs.nodes.*.host})
 * @param envNames   environment variables read as such (not through a key)
 * @param extensions artifact ids of the Quarkus extensions in its pom
 * @param properties application.properties as written (profile-less lines only)
 * @param readsKafkaDefaults whether its code takes Quarkus' {@code default-kafka-broker} map (every {@code kafka.*} key)
 */
record ServiceConfigKeys(String service, Set<String> keys, Set<String> envNames, Set<String> extensions, Map<String, String> properties,
                         boolean readsKafkaDefaults) {

    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{");
    private static final Pattern METHOD = Pattern.compile(
            "((?:@\\w+(?:\\s*\\([^)]*\\))?\\s*)*)([\\w.]+(?:\\s*<[^;(){}]*>)?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\s*\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern EXTENSION = Pattern.compile("<artifactId>(quarkus-[\\w-]+)</artifactId>");

    /** Reads the service's module folder ({@code repo/<service>}). */
    static ServiceConfigKeys read(Path repo, String service) {
        Path module = repo.resolve(service);
        Set<String> keys = new LinkedHashSet<>();
        Set<String> env = new LinkedHashSet<>();
        boolean kafkaDefaults = false;
        for (Path source : files(module.resolve("src/main/java"), ".java")) {
            String text = withoutComments(read(source));
            Matcher mapping = CONFIG_MAPPING.matcher(text);
            if (mapping.find()) {
                keys.addAll(mappingKeys(text, mapping.group(1), source));
            }
            CONFIG_PROPERTY.matcher(text).results().forEach(m -> keys.add(m.group(1)));
            ENV_REFERENCE.matcher(text).results().forEach(m -> env.add(m.group(1)));
            kafkaDefaults |= text.contains("\"default-kafka-broker\"");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        Path props = module.resolve("src/main/resources/application.properties");
        if (Files.isRegularFile(props)) {
            for (String line : read(props).split("\n")) {
                String l = line.strip();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || eq < 0) {
                    continue;
                }
                String key = l.substring(0, eq).strip();
                ENV_REFERENCE.matcher(l).results().forEach(m -> env.add(m.group(1)));
                if (key.startsWith("%")) {
                    keys.add(key.substring(key.indexOf('.') + 1)); // a profile's key is still a key the service has
                } else {
                    keys.add(key);
                    properties.put(key, l.substring(eq + 1).strip());
                }
            }
        }
        Set<String> extensions = new LinkedHashSet<>();
        EXTENSION.matcher(read(module.resolve("pom.xml"))).results().forEach(m -> extensions.add(m.group(1)));
        return new ServiceConfigKeys(service, keys, env, extensions, properties, kafkaDefaults);
    }

    /** The environment variable name SmallRye matches a key with: every character outside [A-Za-z0-9] becomes '_', upper case. */
    static Pattern envPattern(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(part.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT)));
        }
        return Pattern.compile(regex.toString());
    }

    /** The key of this service an environment variable sets, if any. */
    Optional<String> keyOfEnv(String envName) {
        return keys.stream().filter(k -> envPattern(k).matcher(envName).matches()).findFirst();
    }

    /** Whether a key set in a manifest (not through the environment) is one of this service's. */
    boolean hasKey(String key) {
        return keys.stream().anyMatch(k -> Pattern.compile(Pattern.quote(k).replace("*", "\\E[^.]+\\Q")).matcher(key).matches());
    }

    private static List<String> mappingKeys(String text, String prefix, Path source) {
        Map<String, List<String[]>> interfaces = new LinkedHashMap<>();
        Matcher m = INTERFACE.matcher(text);
        String root = null;
        while (m.find()) {
            int open = m.end() - 1;
            int close = matching(text, open);
            String body = topLevel(text.substring(open + 1, close));
            List<String[]> methods = new ArrayList<>();
            Matcher method = METHOD.matcher(body);
            while (method.find()) {
                Matcher named = WITH_NAME.matcher(method.group(1));
                methods.add(new String[] {method.group(2).replaceAll("\\s", ""), named.find() ? named.group(1) : kebab(method.group(3))});
            }
            interfaces.put(m.group(1), methods);
            if (root == null) {
                root = m.group(1);
            }
        }
        if (root == null) {
            throw new IllegalStateException(source + ": @ConfigMapping without an interface");
        }
        List<String> keys = new ArrayList<>();
        walk(interfaces, root, prefix, keys, 0);
        return keys;
    }

    private static void walk(Map<String, List<String[]>> interfaces, String name, String prefix, List<String> keys, int depth) {
        if (depth > 10) {
            return;
        }
        for (String[] method : interfaces.getOrDefault(name, List.of())) {
            String type = method[0];
            String key = prefix + "." + method[1];
            type = unwrap(type, "Optional");
            if (type.startsWith("Map<")) {
                String value = type.substring(type.indexOf(',') + 1, type.length() - 1);
                key = key + ".*";
                type = unwrap(value, "Optional");
            }
            String simple = type.contains(".") ? type.substring(type.lastIndexOf('.') + 1) : type;
            if (interfaces.containsKey(simple)) {
                walk(interfaces, simple, key, keys, depth + 1);
            } else {
                keys.add(key);
            }
        }
    }

    private static String unwrap(String type, String wrapper) {
        return type.startsWith(wrapper + "<") ? type.substring(wrapper.length() + 1, type.length() - 1) : type;
    }

    /** The text of a block without the bodies of blocks nested in it (so a nested interface's methods stay its own). */
    private static String topLevel(String body) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : body.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                out.append(';');
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int matching(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                depth++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces");
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", "");
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

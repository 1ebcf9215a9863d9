package org.echostream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.echostream.contracts.kafka.KafkaClientSettings;
import org.echostream.contracts.security.SignInSettings;
import org.echostream.k8s.check.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every environment variable and config key the manifests set for a service is one that service reads: a setting
 * declared but ignored (a TLS port no code opens, an OIDC tenant with the sign-in mode left local) fails here, naming
 * the key, the workload and the overlay. What a service reads comes from its sources ({@link ServiceConfigKeys}).
 */
class ConfigKeysTest {

    static final List<String> OVERLAYS = Overlays.ALL;
    private static final Path REPO = Overlays.K8S.getParent();

    /** Read by the container image, not by the application: the UBI OpenJDK image's run-java.sh sizes the heap from it. */
    private static final Set<String> IMAGE_ENV = Set.of("JAVA_MAX_MEM_RATIO");

    /**
     * Settings that are being added on another branch at this moment; each must leave this list when its code lands.
     * TLS: being added (DICOM TLS for the SCP and every SCU, PS3.15 Annex B).
     */
    private static final Set<String> BEING_ADDED = Set.of(
            "ECHOSTREAM_DICOM_TLS_PORT", "ECHOSTREAM_DICOM_TLS_CERTIFICATE_FILE", "ECHOSTREAM_DICOM_TLS_KEY_FILE",
            "ECHOSTREAM_DICOM_TLS_TRUST_FILE");

    /** The Quarkus extension that reads each prefix of quarkus.* (and the pass-through kafka-streams.*) keys; core needs none. */
    private static final Map<String, String> QUARKUS_OWNERS = owners();

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void every_setting_a_manifest_gives_a_service_is_read_by_it(String overlay) {
        assertThat(ignored(Overlays.render(overlay), "overlays/" + overlay))
                .as("settings no service reads (fix the manifest, or the code that should read them)").isEmpty();
    }

    @Test
    void a_misspelt_key_an_untaken_kafka_setting_and_an_oidc_tenant_switched_off_are_each_named() {
        List<String> ignored = ignored(Overlays.renderDirectory(Overlays.K8S.resolve("src/test/kustomize-config/ignored-settings")), "ignored-settings");

        assertThat(ignored).anySatisfy(f -> assertThat(f).contains("echostream-ingest").contains("ECHOSTREAM_SCP_MAX_ASSOCIATION")
                .contains("no @ConfigMapping"));
        assertThat(ignored).anySatisfy(f -> assertThat(f).contains("echostream-ingest").contains("KAFKA_LINGER_MS")
                .contains("does not take"));
        assertThat(ignored).anySatisfy(f -> assertThat(f).contains("echostream-api").contains("QUARKUS_OIDC_AUTH_SERVER_URL")
                .contains("tenant is off"));
        assertThat(ignored).as("nothing else").allSatisfy(f -> assertThat(f).containsAnyOf("ECHOSTREAM_SCP_MAX_ASSOCIATION", "KAFKA_LINGER_MS",
                "QUARKUS_OIDC_"));
    }

    /** Every setting of the rendered objects that its service does not read, one line each naming it, the workload and {@code where}. */
    static List<String> ignored(String rendered, String where) {
        List<Manifest> objects = Manifest.parseAll(rendered);
        Map<String, Manifest> configMaps = new LinkedHashMap<>();
        objects.stream().filter(o -> o.kind().equals("ConfigMap")).forEach(o -> configMaps.put(o.name(), o));
        List<String> ignored = new ArrayList<>();
        for (Manifest workload : objects) {
            if (!Set.of("Deployment", "StatefulSet").contains(workload.kind()) || !workload.name().startsWith("echostream-")) {
                continue;
            }
            String service = workload.name().substring("echostream-".length());
            ServiceConfigKeys reads = ServiceConfigKeys.read(REPO, service);
            JsonNode pod = workload.body().path("spec").path("template").path("spec");
            for (JsonNode container : pod.path("containers")) {
                Map<String, String> settings = settings(container, pod, configMaps);
                for (var setting : settings.entrySet()) {
                    String why = ignoredBecause(setting.getKey(), settings, reads);
                    if (why != null) {
                        ignored.add(String.format("%s: %s %s (container %s) sets %s, %s", where, workload.kind(), workload.name(),
                                container.path("name").asText(), setting.getKey(), why));
                    }
                }
            }
        }
        return ignored;
    }

    /** Why a setting is ignored, or null when the service reads it. */
    private static String ignoredBecause(String name, Map<String, String> settings, ServiceConfigKeys reads) {
        if (IMAGE_ENV.contains(name) || BEING_ADDED.contains(name) || reads.envNames().contains(name) || referenced(name, settings)) {
            return null;
        }
        boolean env = !name.contains(".");
        String key = env ? reads.keyOfEnv(name).orElse(null) : reads.hasKey(name) ? name : null;
        String dotted = env ? name.toLowerCase(java.util.Locale.ROOT).replace('_', '.') : name;
        if (dotted.startsWith("quarkus.") || dotted.startsWith("kafka.streams.") || dotted.startsWith("kafka-streams.")) {
            String owner = QUARKUS_OWNERS.entrySet().stream().filter(o -> dotted.replace("kafka-streams", "kafka.streams").startsWith(o.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (owner == null) {
                return "a Quarkus key of no extension this test knows: add its prefix to QUARKUS_OWNERS with the extension that reads it";
            }
            if (!owner.isEmpty() && !reads.extensions().contains(owner)) {
                return "read by " + owner + ", which " + reads.service() + " does not depend on";
            }
            if (dotted.startsWith("quarkus.oidc.") && !dotted.equals("quarkus.oidc.tenant.enabled")) {
                return oidcIgnored(settings, reads);
            }
            return null;
        }
        if (dotted.startsWith("kafka.")) {
            // Quarkus gathers kafka.* into its default-kafka-broker map: a service whose clients are built from it reads the
            // connection settings there (KafkaClientSettings); a Kafka Streams service's clients take quarkus.kafka-streams.*,
            // and kafka.* then reach only its Kafka health check, which must reach the same brokers.
            String clientKey = dotted.substring("kafka.".length());
            boolean connection = KafkaClientSettings.isConnectionSetting(clientKey);
            boolean streams = reads.extensions().contains("quarkus-kafka-streams")
                    && "true".equals(reads.properties().get("quarkus.kafka.health.enabled"));
            if (key != null || connection && (reads.readsKafkaDefaults() || streams)) {
                return null;
            }
            return connection ? "a Kafka connection setting, but " + reads.service() + " builds its Kafka clients from kafka.bootstrap.servers alone"
                    : "a Kafka client setting " + reads.service() + " does not take (only connection settings are: KafkaClientSettings)";
        }
        return key != null ? null : "which no @ConfigMapping, @ConfigProperty or application.properties of " + reads.service() + " reads";
    }

    /** An environment variable another setting of the same container expands ({@code group.instance.id=${POD_NAME}}). */
    private static boolean referenced(String name, Map<String, String> settings) {
        return settings.values().stream().anyMatch(v -> v.contains("${" + name + "}") || v.contains("${" + name + ":"));
    }

    /** An OIDC tenant configured but off, or on while the service's sign-in stays local (it would then refuse to start). */
    private static String oidcIgnored(Map<String, String> settings, ServiceConfigKeys reads) {
        String tenant = value(settings, reads, "quarkus.oidc.tenant-enabled", "true");
        if (!tenant.equalsIgnoreCase("true")) {
            return "but the OIDC tenant is off (quarkus.oidc.tenant-enabled=" + tenant + "), so no token is ever checked";
        }
        String modeKey = reads.keys().stream().filter(k -> k.endsWith(".auth.mode")).findFirst().orElse(null);
        if (modeKey == null) {
            return "but " + reads.service() + " has no sign-in mode key that would use the tenant";
        }
        String mode = value(settings, reads, modeKey, "local");
        try {
            SignInSettings.check(modeKey, SignInSettings.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
                    new SignInSettings.Oidc(true, true, false, true, true));
        } catch (IllegalStateException e) {
            return "but " + e.getMessage();
        }
        return null;
    }

    /** A key's value as the service will see it: the manifest's environment first, then its application.properties. */
    private static String value(Map<String, String> settings, ServiceConfigKeys reads, String key, String fallback) {
        Pattern env = ServiceConfigKeys.envPattern(key);
        return settings.entrySet().stream().filter(s -> s.getKey().equals(key) || env.matcher(s.getKey()).matches()).map(Map.Entry::getValue)
                .findFirst().orElse(reads.properties().getOrDefault(key, fallback));
    }

    /** Every environment variable (direct, or from a ConfigMap) and every key of a mounted properties file, with its value. */
    private static Map<String, String> settings(JsonNode container, JsonNode pod, Map<String, Manifest> configMaps) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            Manifest map = configMaps.get(from.path("configMapRef").path("name").asText());
            if (map != null) {
                map.body().path("data").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            }
        }
        for (JsonNode env : container.path("env")) {
            JsonNode from = env.path("valueFrom");
            out.put(env.path("name").asText(), env.has("value") ? env.path("value").asText()
                    : "(from " + (from.fieldNames().hasNext() ? from.fieldNames().next() : "nothing") + ")");
        }
        for (JsonNode volume : pod.path("volumes")) {
            Manifest map = configMaps.get(volume.path("configMap").path("name").asText());
            if (map == null) {
                continue;
            }
            map.body().path("data").fields().forEachRemaining(e -> {
                if (e.getKey().endsWith(".properties")) {
                    Properties p = new Properties();
                    try {
                        p.load(new StringReader(e.getValue().asText()));
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
                }
            });
        }
        return out;
    }

    private static Map<String, String> owners() {
        Map<String, String> owners = new LinkedHashMap<>();
        owners.put("quarkus.http.", "quarkus-rest-jackson"); // vertx-http comes with the REST extension every service has
        owners.put("quarkus.oidc.", "quarkus-oidc");
        owners.put("quarkus.kafka.streams.", "quarkus-kafka-streams");
        owners.put("kafka.streams.", "quarkus-kafka-streams");
        owners.put("quarkus.shutdown.", "");
        owners.put("quarkus.log.", "");
        return owners;
    }
}

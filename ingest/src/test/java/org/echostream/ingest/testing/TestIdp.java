package org.echostream.ingest.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * An identity provider reduced to its key pair: RS256 tokens with issuer, audience, expiry and a {@code groups} claim,
 * checked by the service through {@code quarkus.oidc.public-key} (no network IdP needed).
 */
public final class TestIdp {

    public static final String ISSUER = "https://idp.hospital.test/realms/echo";
    public static final String AUDIENCE = "echostream-api";

    public final KeyPair keys = keyPair();

    /** The service settings that make it trust this IdP's tokens, as the api's OIDC mode does. */
    public Map<String, String> settings(String modeKey) {
        return Map.of(modeKey, "oidc", "quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.public-key", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
                "quarkus.oidc.token.issuer", ISSUER, "quarkus.oidc.token.audience", AUDIENCE,
                "quarkus.oidc.roles.role-claim-path", "groups");
    }

    public String token(String user, List<String> groups) throws Exception {
        return token(keys.getPrivate(), user, groups, Instant.now().plusSeconds(300));
    }

    public static String token(PrivateKey key, String user, List<String> groups, Instant expires) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + user + "\",\"preferred_username\":\"" + user
                + "\",\"groups\":[" + String.join(",", groups.stream().map(g -> "\"" + g + "\"").toList()) + "],\"iat\":"
                + Instant.now().minusSeconds(5).getEpochSecond() + ",\"exp\":" + expires.getEpochSecond() + "}";
        String body = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(body.getBytes(StandardCharsets.US_ASCII));
        return body + "." + b64.encodeToString(rsa.sign());
    }

    public static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

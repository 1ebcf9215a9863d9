package org.echostream.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start with a half-configured sign-in: OIDC mode needs the OIDC tenant on, a way to check
 * tokens, the audience tokens must be minted for (else a token the same IdP issued to another application
 * is accepted) and, with a bare public key (no discovery), the issuer; local mode needs the tenant off
 * (otherwise a token from some IdP would be accepted beside the passwords). Expiry is always checked by
 * the OIDC layer.
 */
@Singleton
class AuthModeCheck {

    /** What of the OIDC tenant is configured. */
    record Oidc(boolean tenantEnabled, boolean authServerUrl, boolean publicKey, boolean audience, boolean issuer) {
    }

    void onStart(@Observes StartupEvent event, ApiConfig config,
                 @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean oidcEnabled,
                 @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServer,
                 @ConfigProperty(name = "quarkus.oidc.public-key") Optional<String> publicKey,
                 @ConfigProperty(name = "quarkus.oidc.token.audience") Optional<List<String>> audience,
                 @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer) {
        check(config.api().auth().mode(), new Oidc(oidcEnabled, authServer.isPresent(), publicKey.isPresent(),
                audience.filter(a -> !a.isEmpty()).isPresent(), issuer.isPresent()));
    }

    static void check(ApiConfig.AuthMode mode, Oidc oidc) {
        if (mode == ApiConfig.AuthMode.OIDC) {
            if (!oidc.tenantEnabled() || !(oidc.authServerUrl() || oidc.publicKey())) {
                throw new IllegalStateException("echostream.api.auth.mode=oidc needs quarkus.oidc.tenant-enabled=true and "
                        + "quarkus.oidc.auth-server-url (or quarkus.oidc.public-key); tenant-enabled is " + oidc.tenantEnabled()
                        + (oidc.authServerUrl() || oidc.publicKey() ? "" : " and neither key is set"));
            }
            if (!oidc.audience()) {
                throw new IllegalStateException("echostream.api.auth.mode=oidc needs quarkus.oidc.token.audience (the api's client id "
                        + "at the IdP): without it a token the IdP minted for any other application would be accepted");
            }
            if (!oidc.authServerUrl() && !oidc.issuer()) {
                throw new IllegalStateException("echostream.api.auth.mode=oidc with quarkus.oidc.public-key needs quarkus.oidc.token.issuer: "
                        + "without discovery nothing else says which issuer's tokens count");
            }
        }
        if (mode == ApiConfig.AuthMode.LOCAL && oidc.tenantEnabled()) {
            throw new IllegalStateException("echostream.api.auth.mode=local needs quarkus.oidc.tenant-enabled=false "
                    + "(set echostream.api.auth.mode=oidc to sign in through the IdP)");
        }
    }
}

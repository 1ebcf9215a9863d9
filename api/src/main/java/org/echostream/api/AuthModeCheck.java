package org.echostream.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.echostream.contracts.security.SignInSettings;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Refuses to start with a half-configured sign-in (the rule, shared with ingest's STOW-RS, is {@link SignInSettings}). */
@Singleton
class AuthModeCheck {

    void onStart(@Observes StartupEvent event, ApiConfig config,
                 @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean oidcEnabled,
                 @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServer,
                 @ConfigProperty(name = "quarkus.oidc.public-key") Optional<String> publicKey,
                 @ConfigProperty(name = "quarkus.oidc.token.audience") Optional<List<String>> audience,
                 @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer) {
        SignInSettings.check("echostream.api.auth.mode", config.api().auth().mode(), new SignInSettings.Oidc(oidcEnabled,
                authServer.isPresent(), publicKey.isPresent(), audience.filter(a -> !a.isEmpty()).isPresent(), issuer.isPresent()));
    }
}

package org.echostream.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start with a half-configured sign-in: OIDC mode needs the OIDC tenant on and a way to check
 * tokens; local mode needs it off (otherwise a token from some IdP would be accepted beside the passwords).
 */
@Singleton
class AuthModeCheck {

    void onStart(@Observes StartupEvent event, ApiConfig config,
                 @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean oidcEnabled,
                 @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServer,
                 @ConfigProperty(name = "quarkus.oidc.public-key") Optional<String> publicKey) {
        check(config.api().auth().mode(), oidcEnabled, authServer.isPresent() || publicKey.isPresent());
    }

    static void check(ApiConfig.AuthMode mode, boolean oidcEnabled, boolean oidcVerifiable) {
        if (mode == ApiConfig.AuthMode.OIDC && (!oidcEnabled || !oidcVerifiable)) {
            throw new IllegalStateException("echostream.api.auth.mode=oidc needs quarkus.oidc.tenant-enabled=true and "
                    + "quarkus.oidc.auth-server-url (or quarkus.oidc.public-key); tenant-enabled is " + oidcEnabled
                    + (oidcVerifiable ? "" : " and neither key is set"));
        }
        if (mode == ApiConfig.AuthMode.LOCAL && oidcEnabled) {
            throw new IllegalStateException("echostream.api.auth.mode=local needs quarkus.oidc.tenant-enabled=false "
                    + "(set echostream.api.auth.mode=oidc to sign in through the IdP)");
        }
    }
}

package org.echostream.api;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.echostream.contracts.security.LocalCredentials;
import org.echostream.contracts.security.SignInSettings;
import org.jboss.logging.Logger;

/**
 * The local users, read (or generated) at start so that {@code make run} can point at the file as soon as
 * the api is ready. Absent in OIDC mode.
 */
@Singleton
class LocalUsers {

    private static final Logger LOG = Logger.getLogger(LocalUsers.class);

    private final LocalCredentials credentials;

    LocalUsers(ApiConfig config, Clock clock) {
        if (config.api().auth().mode() == SignInSettings.Mode.LOCAL) {
            this.credentials = LocalCredentials.loadOrCreate(config.api().auth().credentialsFile(), new SecureRandom(), clock);
            // The path and user names only: the passwords stay in the file.
            LOG.infof("local sign-in: %s users %s in %s", credentials.origin() == LocalCredentials.Origin.CREATED ? "generated" : "read",
                    credentials.userNames(), credentials.file().toAbsolutePath());
        } else {
            this.credentials = null;
        }
    }

    void onStart(@Observes StartupEvent event) {
        // constructing the bean is the work: it creates the credentials file
    }

    boolean enabled() {
        return credentials != null;
    }

    Optional<SecurityIdentity> verify(String name, char[] password) {
        return credentials == null ? Optional.empty() : credentials.verify(name, password).map(LocalUsers::identity);
    }

    Optional<SecurityIdentity> byName(String name) {
        return credentials == null ? Optional.empty() : credentials.user(name).map(LocalUsers::identity);
    }

    private static SecurityIdentity identity(LocalCredentials.User user) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user.name())).addRoles(user.roles()).build();
    }
}

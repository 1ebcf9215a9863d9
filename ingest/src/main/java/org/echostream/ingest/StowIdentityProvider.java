package org.echostream.ingest;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.echostream.contracts.security.LocalCredentials;
import org.echostream.contracts.security.SignInSettings;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * HTTP Basic for STOW-RS against the local users file the api also reads (role sender or admin; the permission in
 * application.properties checks the role). Refuses every password in OIDC mode, where only the IdP's bearer tokens
 * count, and in command mode, where nothing is served. The file is read (or generated) when the service starts.
 * Leaves the tried name on the request for the audit record of a failed attempt.
 */
@Singleton
class StowIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    /** Routing-context key of the user name a failed password sign-in gave. */
    static final String FAILED_USER = "echostream.stow.failed-user";
    static final String MODE_KEY = "echostream.stow.auth.mode";

    private static final Logger LOG = Logger.getLogger(StowIdentityProvider.class);

    private final IngestConfig config;
    private final Clock clock;
    private volatile LocalCredentials credentials;

    StowIdentityProvider(IngestConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The sign-in settings must hold together before anything is served (the rule the api applies too). */
    void onStart(@Observes StartupEvent event,
                 @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean oidcEnabled,
                 @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServer,
                 @ConfigProperty(name = "quarkus.oidc.public-key") Optional<String> publicKey,
                 @ConfigProperty(name = "quarkus.oidc.token.audience") Optional<List<String>> audience,
                 @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer) {
        if (config.command().isPresent() || !config.stow().enabled()) {
            return;
        }
        IngestConfig.Auth auth = config.stow().auth();
        SignInSettings.check(MODE_KEY, auth.mode(), new SignInSettings.Oidc(oidcEnabled, authServer.isPresent(), publicKey.isPresent(),
                audience.filter(a -> !a.isEmpty()).isPresent(), issuer.isPresent()));
        if (auth.mode() == SignInSettings.Mode.LOCAL) {
            credentials = LocalCredentials.loadOrCreate(auth.credentialsFile(), new SecureRandom(), clock);
            // The path and user names only: the passwords stay in the file.
            LOG.infof("STOW-RS sign-in: local users %s %s in %s (role sender or admin may post)",
                    credentials.userNames(), credentials.origin() == LocalCredentials.Origin.CREATED ? "generated" : "read",
                    credentials.file().toAbsolutePath());
        } else {
            LOG.infof("STOW-RS sign-in: bearer tokens of the OIDC issuer (role sender or admin may post)");
        }
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        LocalCredentials users = credentials;
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (users == null) {
            remember(rc, request.getUsername());
            return Uni.createFrom().failure(new AuthenticationFailedException("password sign-in is off: " + MODE_KEY + "=oidc"));
        }
        Optional<LocalCredentials.User> user = users.verify(request.getUsername(), request.getPassword().getPassword());
        if (user.isEmpty()) {
            remember(rc, request.getUsername());
            return Uni.createFrom().failure(new AuthenticationFailedException("wrong user name or password"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user.get().name()))
                .addRoles(user.get().roles()).build());
    }

    private static void remember(RoutingContext rc, String user) {
        if (rc != null) {
            rc.put(FAILED_USER, user == null ? "" : user);
        }
    }
}

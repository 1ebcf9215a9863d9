package org.echostream.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * The dashboard's session cookie (encrypted by Quarkus, issued after a form login) names a user; this
 * gives that user's current roles, so a user removed from the credentials file loses access at restart.
 */
@Singleton
class LocalSessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final LocalUsers users;

    LocalSessionIdentityProvider(LocalUsers users) {
        this.users = users;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        return users.byName(request.getPrincipal())
                .map(identity -> Uni.createFrom().item(identity))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("session names no current user")));
    }
}

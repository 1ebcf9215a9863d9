package org.echostream.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * Checks user name and password (form login and HTTP Basic) against the local credentials file. Refuses
 * everything in OIDC mode, where only the IdP's bearer tokens count.
 */
@Singleton
class LocalIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final LocalUsers users;

    LocalIdentityProvider(LocalUsers users) {
        this.users = users;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!users.enabled()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("password sign-in is off: echostream.api.auth.mode=oidc"));
        }
        return users.verify(request.getUsername(), request.getPassword().getPassword())
                .map(identity -> Uni.createFrom().item(identity))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("wrong user name or password")));
    }
}

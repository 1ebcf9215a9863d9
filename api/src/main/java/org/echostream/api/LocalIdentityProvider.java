package org.echostream.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * Checks user name and password (form login and HTTP Basic) against the local credentials file. Refuses
 * everything in OIDC mode, where only the IdP's bearer tokens count. Leaves the attempt on the request for
 * its audit record (a failed sign-in is recorded with the user name it tried).
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
        var identity = users.verify(request.getUsername(), request.getPassword().getPassword());
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (rc != null) {
            rc.put(SignInAttempt.KEY, new SignInAttempt(request.getUsername(), identity.isPresent()));
        }
        return identity.map(found -> Uni.createFrom().item(found))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("wrong user name or password")));
    }
}

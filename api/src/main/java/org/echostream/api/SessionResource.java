package org.echostream.api;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Who is signed in, how to sign in, and signing out. No patient data. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    public record AuthInfo(String mode) {
    }

    public record Session(String user, List<String> roles) {
    }

    private final ApiConfig config;
    private final SecurityIdentity identity;

    SessionResource(ApiConfig config, SecurityIdentity identity) {
        this.config = config;
        this.identity = identity;
    }

    @GET
    @Path("auth")
    @PermitAll
    @Operation(summary = "Which sign-in this installation uses: local (user name and password) or oidc (bearer tokens)")
    public AuthInfo auth() {
        return new AuthInfo(config.api().auth().mode().name().toLowerCase(java.util.Locale.ROOT));
    }

    @GET
    @Path("session")
    @Authenticated
    @Operation(summary = "The signed-in user and roles")
    public Session session() {
        return new Session(identity.getPrincipal().getName(), identity.getRoles().stream().sorted().toList());
    }

    @POST
    @Path("session/logout")
    @Authenticated
    @Operation(summary = "Ends a dashboard session (removes the form-login cookie)")
    public void logout() {
        FormAuthenticationMechanism.logout(identity);
    }
}

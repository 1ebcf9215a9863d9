package org.echostream.contracts.security;

/**
 * The one rule for a service's sign-in settings, shared by the api and ingest's STOW-RS so both accept the same
 * identities: OIDC mode needs the OIDC tenant on, a way to check tokens, the audience tokens must be minted for
 * (else a token the same IdP issued to another application is accepted) and, with a bare public key (no
 * discovery), the issuer; local mode needs the tenant off (otherwise a token from some IdP would be accepted
 * beside the passwords). Expiry is always checked by the OIDC layer.
 */
public final class SignInSettings {

    /** local: users from the generated credentials file ({@link LocalCredentials}); oidc: bearer tokens of the hospital's IdP. */
    public enum Mode { LOCAL, OIDC }

    /** What of the OIDC tenant ({@code quarkus.oidc.*}) is configured. */
    public record Oidc(boolean tenantEnabled, boolean authServerUrl, boolean publicKey, boolean audience, boolean issuer) {
    }

    private SignInSettings() {
    }

    /**
     * @param modeKey the configuration key that chose the mode, named in the error
     * @throws IllegalStateException naming the key that is missing or contradicts the mode
     */
    public static void check(String modeKey, Mode mode, Oidc oidc) {
        if (mode == Mode.OIDC) {
            if (!oidc.tenantEnabled() || !(oidc.authServerUrl() || oidc.publicKey())) {
                throw new IllegalStateException(modeKey + "=oidc needs quarkus.oidc.tenant-enabled=true and "
                        + "quarkus.oidc.auth-server-url (or quarkus.oidc.public-key); tenant-enabled is " + oidc.tenantEnabled()
                        + (oidc.authServerUrl() || oidc.publicKey() ? "" : " and neither key is set"));
            }
            if (!oidc.audience()) {
                throw new IllegalStateException(modeKey + "=oidc needs quarkus.oidc.token.audience (the client id the tokens are "
                        + "minted for at the IdP): without it a token the IdP minted for any other application would be accepted");
            }
            if (!oidc.authServerUrl() && !oidc.issuer()) {
                throw new IllegalStateException(modeKey + "=oidc with quarkus.oidc.public-key needs quarkus.oidc.token.issuer: "
                        + "without discovery nothing else says which issuer's tokens count");
            }
        }
        if (mode == Mode.LOCAL && oidc.tenantEnabled()) {
            throw new IllegalStateException(modeKey + "=local needs quarkus.oidc.tenant-enabled=false "
                    + "(set " + modeKey + "=oidc to sign in through the IdP)");
        }
    }
}

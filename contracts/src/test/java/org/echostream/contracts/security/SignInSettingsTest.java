package org.echostream.contracts.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.echostream.contracts.security.SignInSettings.Mode;
import org.echostream.contracts.security.SignInSettings.Oidc;
import org.junit.jupiter.api.Test;

class SignInSettingsTest {

    private static final String KEY = "echostream.api.auth.mode";

    @Test
    void refuses_oidc_mode_without_a_way_to_check_tokens() {
        assertThatThrownBy(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(true, false, false, true, true)))
                .hasMessageContaining("quarkus.oidc.auth-server-url").hasMessageStartingWith(KEY);
        assertThatThrownBy(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(false, true, false, true, true)))
                .hasMessageContaining("tenant-enabled is false");
    }

    @Test
    void refuses_oidc_mode_that_would_accept_a_token_minted_for_another_application() {
        assertThatThrownBy(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(true, true, false, false, false)))
                .hasMessageContaining("quarkus.oidc.token.audience");
    }

    @Test
    void refuses_a_bare_public_key_without_an_issuer() {
        assertThatThrownBy(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(true, false, true, true, false)))
                .hasMessageContaining("quarkus.oidc.token.issuer");
    }

    @Test
    void refuses_local_mode_with_the_oidc_tenant_on() {
        assertThatThrownBy(() -> SignInSettings.check("echostream.stow.auth.mode", Mode.LOCAL, new Oidc(true, true, false, true, true)))
                .hasMessageContaining("quarkus.oidc.tenant-enabled=false").hasMessageStartingWith("echostream.stow.auth.mode");
    }

    @Test
    void accepts_consistent_settings() {
        assertThatCode(() -> SignInSettings.check(KEY, Mode.LOCAL, new Oidc(false, false, false, false, false))).doesNotThrowAnyException();
        assertThatCode(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(true, true, false, true, false))).doesNotThrowAnyException();
        assertThatCode(() -> SignInSettings.check(KEY, Mode.OIDC, new Oidc(true, false, true, true, true))).doesNotThrowAnyException();
    }
}

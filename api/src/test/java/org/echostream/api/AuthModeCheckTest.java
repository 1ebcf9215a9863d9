package org.echostream.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.echostream.api.AuthModeCheck.Oidc;
import org.junit.jupiter.api.Test;

class AuthModeCheckTest {

    @Test
    void refuses_oidc_mode_without_a_way_to_check_tokens() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(true, false, false, true, true)))
                .hasMessageContaining("quarkus.oidc.auth-server-url");
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(false, true, false, true, true)))
                .hasMessageContaining("tenant-enabled is false");
    }

    @Test
    void refuses_oidc_mode_that_would_accept_a_token_minted_for_another_application() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(true, true, false, false, false)))
                .hasMessageContaining("quarkus.oidc.token.audience");
    }

    @Test
    void refuses_a_bare_public_key_without_an_issuer() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(true, false, true, true, false)))
                .hasMessageContaining("quarkus.oidc.token.issuer");
    }

    @Test
    void refuses_local_mode_with_the_oidc_tenant_on() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.LOCAL, new Oidc(true, true, false, true, true)))
                .hasMessageContaining("quarkus.oidc.tenant-enabled=false");
    }

    @Test
    void accepts_consistent_settings() {
        assertThatCode(() -> AuthModeCheck.check(ApiConfig.AuthMode.LOCAL, new Oidc(false, false, false, false, false))).doesNotThrowAnyException();
        assertThatCode(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(true, true, false, true, false))).doesNotThrowAnyException();
        assertThatCode(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, new Oidc(true, false, true, true, true))).doesNotThrowAnyException();
    }
}

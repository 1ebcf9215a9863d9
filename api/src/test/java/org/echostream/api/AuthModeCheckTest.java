package org.echostream.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuthModeCheckTest {

    @Test
    void refuses_oidc_mode_without_a_way_to_check_tokens() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, true, false))
                .hasMessageContaining("quarkus.oidc.auth-server-url");
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, false, true))
                .hasMessageContaining("tenant-enabled is false");
    }

    @Test
    void refuses_local_mode_with_the_oidc_tenant_on() {
        assertThatThrownBy(() -> AuthModeCheck.check(ApiConfig.AuthMode.LOCAL, true, true))
                .hasMessageContaining("quarkus.oidc.tenant-enabled=false");
    }

    @Test
    void accepts_consistent_settings() {
        assertThatCode(() -> AuthModeCheck.check(ApiConfig.AuthMode.LOCAL, false, false)).doesNotThrowAnyException();
        assertThatCode(() -> AuthModeCheck.check(ApiConfig.AuthMode.OIDC, true, true)).doesNotThrowAnyException();
    }
}

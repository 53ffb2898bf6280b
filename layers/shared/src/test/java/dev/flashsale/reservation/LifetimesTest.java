package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifetimesTest {

    private static Lifetimes read(Map<String, String> env) {
        return Lifetimes.from(Config.of(env));
    }

    private static Map<String, String> with(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaults_fitEachOther() {
        Lifetimes d = read(Map.of());
        assertThat(d).isEqualTo(Lifetimes.ofDefaults());
        assertThat(d.hold()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.claim()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.redriveWindow()).isEqualTo(Duration.ofDays(1));
        assertThat(d.releaseLookback()).isEqualTo(Duration.ofDays(2));
        assertThat(d.retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void aRedriveWindowShorterThanAClaim_isRefusedNamingBoth() {
        assertThatThrownBy(() -> read(with("CLAIM_TTL", "10m", "REDRIVE_WINDOW", "5m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDRIVE_WINDOW")
                .hasMessageContaining("CLAIM_TTL");
    }

    @Test
    void aLookbackShorterThanHoldPlusRedriveWindow_isRefused() {
        assertThatThrownBy(() -> read(with("HOLD_TTL", "2h", "REDRIVE_WINDOW", "1d", "RELEASE_LOOKBACK", "1d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RELEASE_LOOKBACK")
                .hasMessageContaining("HOLD_TTL + REDRIVE_WINDOW");
        assertThat(read(with("HOLD_TTL", "2h", "REDRIVE_WINDOW", "1d", "RELEASE_LOOKBACK", "26h"))
                        .releaseLookback())
                .isEqualTo(Duration.ofHours(26));
    }

    @Test
    void aRetentionShorterThanTheLookback_isRefused() {
        assertThatThrownBy(() -> read(with("RESERVATION_RETENTION", "1d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RESERVATION_RETENTION")
                .hasMessageContaining("RELEASE_LOOKBACK");
    }

    @Test
    void eachValue_keepsItsOwnRange() {
        assertThatThrownBy(() -> read(with("REDRIVE_WINDOW", "15d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDRIVE_WINDOW must be between");
        assertThatThrownBy(() -> read(with("HOLD_TTL", "0s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HOLD_TTL must be between");
    }

    @Test
    void thePolicyAndTheClaimsReadTheirValuesThroughIt() {
        Config config =
                Config.of(with("HOLD_TTL", "30s", "RESERVATION_RETENTION", "9d", "REPLAY_RESEND_INTERVAL", "2s"));
        ReservationPolicy policy = ReservationPolicy.from(config);
        assertThat(policy.holdDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.retention()).isEqualTo(Duration.ofDays(9));
        assertThat(policy.resendInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> ReservationPolicy.from(Config.of(with("RESERVATION_RETENTION", "1h"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RESERVATION_RETENTION");
    }
}

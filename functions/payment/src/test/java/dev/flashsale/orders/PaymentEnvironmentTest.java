package dev.flashsale.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.payment.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhook secret: required outside dev mode, at least 32 bytes; the public dev secret only in dev mode. */
class PaymentEnvironmentTest {

    @Test
    void withoutASecret_onlyDevModeStarts_withTheDocumentedDevSecret() {
        assertThatThrownBy(() -> PaymentEnvironment.signature(Config.of(Map.of()), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PAYMENT_WEBHOOK_SECRET is required");
        assertThatThrownBy(() -> PaymentEnvironment.signature(Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", " ")), false))
                .isInstanceOf(ConfigException.class);

        var dev = PaymentEnvironment.signature(Config.of(Map.of()), true);
        var provider = new WebhookSignature(
                PaymentEnvironment.DEV_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        Instant now = Instant.now();
        assertThat(dev.verify(provider.sign("{}", now), "{}", now)).isEqualTo(WebhookSignature.Verdict.VALID);
    }

    @Test
    void aShortSecret_orAToleranceOutOfRange_isRefused() {
        assertThatThrownBy(() ->
                        PaymentEnvironment.signature(Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", "x".repeat(31))), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> PaymentEnvironment.signature(
                        Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", "x".repeat(32), "PAYMENT_WEBHOOK_TOLERANCE", "2h")),
                        false))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void theToleranceDecidesWhatIsStale() {
        var signature = PaymentEnvironment.signature(
                Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", "s".repeat(40), "PAYMENT_WEBHOOK_TOLERANCE", "30s")), false);
        var provider = new WebhookSignature("s".repeat(40).getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        Instant now = Instant.now();
        assertThat(signature.verify(provider.sign("{}", now.minusSeconds(20)), "{}", now))
                .isEqualTo(WebhookSignature.Verdict.VALID);
        assertThat(signature.verify(provider.sign("{}", now.minusSeconds(40)), "{}", now))
                .isEqualTo(WebhookSignature.Verdict.STALE);
    }
}

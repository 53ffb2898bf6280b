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

    @Test
    void duringARotation_theOldAndTheNewSecretVerify_andAfterItOnlyTheNew() {
        String oldSecret = "o".repeat(40);
        String newSecret = "n".repeat(40);
        var rotating = PaymentEnvironment.signature(
                Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", newSecret, "PAYMENT_WEBHOOK_SECRET_PREVIOUS", oldSecret)),
                false);
        var after = PaymentEnvironment.signature(Config.of(Map.of("PAYMENT_WEBHOOK_SECRET", newSecret)), false);
        var oldProvider = new WebhookSignature(oldSecret.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        var newProvider = new WebhookSignature(newSecret.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        var stranger = new WebhookSignature("x".repeat(40).getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        Instant now = Instant.now();
        String body = "{\"eventId\":\"e\"}";

        assertThat(rotating.verify(oldProvider.sign(body, now), body, now)).isEqualTo(WebhookSignature.Verdict.VALID);
        assertThat(rotating.verify(newProvider.sign(body, now), body, now)).isEqualTo(WebhookSignature.Verdict.VALID);
        assertThat(rotating.verify(stranger.sign(body, now), body, now)).isEqualTo(WebhookSignature.Verdict.MISMATCH);
        assertThat(after.verify(oldProvider.sign(body, now), body, now)).isEqualTo(WebhookSignature.Verdict.MISMATCH);
        // a provider that signs with both while it rotates: one header, two v1 entries, either may be the known one
        String both = oldProvider.sign(body, now) + ",v1="
                + newProvider
                        .sign(body, now)
                        .substring(newProvider.sign(body, now).indexOf("v1=") + 3);
        assertThat(after.verify(both, body, now)).isEqualTo(WebhookSignature.Verdict.VALID);
        String strangerFirst = stranger.sign(body, now) + ",v1="
                + newProvider
                        .sign(body, now)
                        .substring(newProvider.sign(body, now).indexOf("v1=") + 3);
        assertThat(after.verify(strangerFirst, body, now)).isEqualTo(WebhookSignature.Verdict.VALID);
        // the body is still what is signed
        assertThat(rotating.verify(oldProvider.sign(body, now), body + " ", now))
                .isEqualTo(WebhookSignature.Verdict.MISMATCH);
        assertThatThrownBy(() -> PaymentEnvironment.signature(
                        Config.of(Map.of(
                                "PAYMENT_WEBHOOK_SECRET", newSecret, "PAYMENT_WEBHOOK_SECRET_PREVIOUS", "short")),
                        false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PAYMENT_WEBHOOK_SECRET_PREVIOUS");
    }
}

package dev.flashsale.orders;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.ReservationPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Everything the PaymentFunction reads from its environment, once, in its Init.
 *
 * @param redis     {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms): a cancelled
 *                  order's units go back to Redis; a reservation without an order yet is looked up there
 * @param db        {@code DATABASE_URL}, {@code DB_*}: the orders and payments, breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param policy    the reservation settings the store is built with (see {@link ReservationPolicy}); only reads here
 * @param signature {@code PAYMENT_WEBHOOK_SECRET} (at least 32 bytes, shared with the payment provider; in AWS a
 *                  Secrets Manager secret resolved at deploy time) and {@code PAYMENT_WEBHOOK_TOLERANCE} (default 5m,
 *                  10s..1h: how old a signature's timestamp may be). Without a secret the function refuses to start,
 *                  unless {@code DEV_MODE} is true: then {@link #DEV_WEBHOOK_SECRET}, public, for local runs. While the
 *                  secret is rotated, {@code PAYMENT_WEBHOOK_SECRET_PREVIOUS} (the old one) verifies too
 * @param devMode   {@code DEV_MODE}, default false: accept {@code X-Buyer-Id} when there is no JWT (local runs only)
 */
public record PaymentEnvironment(
        InitSettings init,
        RedisAccess redis,
        DbAccess db,
        ReservationPolicy policy,
        WebhookSignature signature,
        boolean devMode)
        implements FunctionEnvironment {

    /** The webhook secret of dev mode when none is set: documented (docs/local.md), so never a secret. */
    public static final String DEV_WEBHOOK_SECRET = "flashsale-dev-webhook-secret-not-for-production";

    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            ReservationPolicy.VARIABLES,
            Variables.of(
                    "DEV_MODE",
                    "PAYMENT_WEBHOOK_SECRET",
                    "PAYMENT_WEBHOOK_SECRET_PREVIOUS",
                    "PAYMENT_WEBHOOK_TOLERANCE"));

    public static PaymentEnvironment from(Config config) {
        boolean devMode = config.bool("DEV_MODE", false);
        return new PaymentEnvironment(
                InitSettings.from(config, "payment"),
                RedisAccess.from(config),
                DbAccess.from(config),
                ReservationPolicy.from(config),
                signature(config, devMode),
                devMode);
    }

    static WebhookSignature signature(Config config, boolean devMode) {
        String secret = config.optional("PAYMENT_WEBHOOK_SECRET")
                .filter(s -> !s.isBlank())
                .orElse(null);
        Duration tolerance = config.duration(
                "PAYMENT_WEBHOOK_TOLERANCE", DEFAULT_TOLERANCE, Duration.ofSeconds(10), Duration.ofHours(1));
        if (secret == null) {
            if (!devMode) {
                throw new ConfigException("PAYMENT_WEBHOOK_SECRET is required (the secret shared with the payment"
                        + " provider, at least 32 bytes); only DEV_MODE=true falls back to the public dev secret");
            }
            secret = DEV_WEBHOOK_SECRET;
        }
        List<byte[]> secrets = new ArrayList<>();
        secrets.add(atLeast32Bytes("PAYMENT_WEBHOOK_SECRET", secret));
        config.optional("PAYMENT_WEBHOOK_SECRET_PREVIOUS")
                .filter(s -> !s.isBlank())
                .ifPresent(previous -> secrets.add(atLeast32Bytes("PAYMENT_WEBHOOK_SECRET_PREVIOUS", previous)));
        return new WebhookSignature(secrets, tolerance);
    }

    private static byte[] atLeast32Bytes(String name, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new ConfigException(name + " must be at least 32 bytes, was " + bytes.length);
        }
        return bytes;
    }
}

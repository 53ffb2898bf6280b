package dev.flashsale.reserve;

import dev.flashsale.admission.TicketKey;
import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.sale.SaleLoading;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the ReserveFunction reads from its environment, once, in its Init.
 *
 * @param redis           {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param replicaAck      {@code REDIS_WAIT_*}: whether a new hold waits for a replica before the 201 (see {@link ReplicaAck})
 * @param db              {@code DATABASE_URL}, {@code DB_*}: only to load a sale Redis does not know (the connection
 *                        opens on such a miss), breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param queue           {@code CONFIRM_QUEUE_URL} (required), {@code SQS_*}, breaker {@code BREAKER_SQS_*} (slow call 1s)
 * @param policy          holds, replays and rate limits (see {@link ReservationPolicy})
 * @param loading         {@code SALE_NEGATIVE_CACHE_TTL}, {@code SALE_LOAD_WAIT} (see {@link SaleLoading})
 * @param devMode         {@code DEV_MODE}, default false: accept {@code X-Buyer-Id} when there is no JWT (local runs only)
 * @param maxBodyBytes    {@code MAX_BODY_BYTES}, default 1024 (64..65,536): larger bodies are refused with 413
 * @param soldOutCacheTtl {@code SOLD_OUT_CACHE_TTL}, default 1s (0..1m; 0 turns the sold-out fast path off)
 * @param ticketKey       {@code ADMISSION_TICKET_KEY}: the key admission tickets are signed with (at least 16
 *                        characters; the waiting room must have the same). Without it a key is generated, which no
 *                        waiting room shares: a ticketed sale then refuses every ticket as {@code ticket-invalid};
 *                        {@code ADMISSION_TICKET_KEY_PREVIOUS}, the key before it, still verifies ({@link TicketKey})
 */
public record ReserveEnvironment(
        InitSettings init,
        RedisAccess redis,
        ReplicaAck replicaAck,
        DbAccess db,
        SqsSettings queue,
        BreakerSettings queueBreaker,
        ReservationPolicy policy,
        SaleLoading loading,
        boolean devMode,
        int maxBodyBytes,
        Duration soldOutCacheTtl,
        TicketKey ticketKey)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            ReplicaAck.VARIABLES,
            DbAccess.VARIABLES,
            SqsSettings.VARIABLES,
            BreakerSettings.variables("sqs"),
            ReservationPolicy.VARIABLES,
            SaleLoading.VARIABLES,
            Variables.of(
                    "DEV_MODE",
                    "MAX_BODY_BYTES",
                    "SOLD_OUT_CACHE_TTL",
                    "ADMISSION_TICKET_KEY",
                    "ADMISSION_TICKET_KEY_PREVIOUS"));

    public ReserveEnvironment {
        if (replicaAck.enabled()
                && replicaAck.timeout().compareTo(redis.settings().socketTimeout()) >= 0) {
            throw new ConfigException("REDIS_WAIT_TIMEOUT ("
                    + replicaAck.timeout().toMillis() + "ms) must be shorter than REDIS_TIMEOUT ("
                    + redis.settings().socketTimeout().toMillis()
                    + "ms): the WAIT shares the reserve call's socket timeout");
        }
    }

    public static ReserveEnvironment from(Config config) {
        return new ReserveEnvironment(
                InitSettings.from(config, "reserve"),
                RedisAccess.from(config),
                ReplicaAck.from(config),
                DbAccess.from(config),
                SqsSettings.from(config),
                BreakerSettings.from(config, "sqs", Duration.ofSeconds(1)),
                ReservationPolicy.from(config),
                SaleLoading.from(config),
                config.bool("DEV_MODE", false),
                config.integer("MAX_BODY_BYTES", 1024, 64, 65_536),
                config.duration("SOLD_OUT_CACHE_TTL", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1)),
                TicketKey.from(config));
    }
}

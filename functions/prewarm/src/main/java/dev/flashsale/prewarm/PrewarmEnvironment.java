package dev.flashsale.prewarm;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbSettings;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.Lifetimes;
import dev.flashsale.resilience.BreakerSettings;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the PrewarmFunction reads from its environment, once, in its Init.
 *
 * @param redis     {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db        {@code DATABASE_URL}, {@code DB_*}, breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param lifetimes how long a sale's keys are kept after its end ({@code RESERVATION_RETENTION}, checked with the other
 *                  lifetimes, see {@link Lifetimes})
 * @param run       {@code PREWARM_*} (see {@link PrewarmSettings})
 */
public record PrewarmEnvironment(
        InitSettings init,
        RedisSettings redis,
        BreakerSettings redisBreaker,
        DbSettings db,
        BreakerSettings dbBreaker,
        Lifetimes lifetimes,
        PrewarmSettings run) {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisSettings.VARIABLES,
            BreakerSettings.variables("redis"),
            DbSettings.VARIABLES,
            BreakerSettings.variables("db"),
            Lifetimes.VARIABLES,
            PrewarmSettings.VARIABLES);

    public static PrewarmEnvironment from(Config config) {
        return new PrewarmEnvironment(
                InitSettings.from(config, "prewarm"),
                RedisSettings.from(config),
                BreakerSettings.from(config, "redis", Duration.ofMillis(200)),
                DbSettings.from(config),
                BreakerSettings.from(config, "db", Duration.ofSeconds(1)),
                Lifetimes.from(config),
                PrewarmSettings.from(config));
    }
}

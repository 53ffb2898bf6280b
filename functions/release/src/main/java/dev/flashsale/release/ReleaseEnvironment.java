package dev.flashsale.release;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbSettings;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.Lifetimes;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.resilience.BreakerSettings;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the ReleaseFunction reads from its environment, once, in its Init.
 *
 * @param redis  {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db     {@code DATABASE_URL}, {@code DB_*}, breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param policy the reservation settings its store is built with (the lifetimes are checked together, see
 *               {@link Lifetimes}); this job reads deadlines others set, so only their fit matters here
 * @param bounds {@code RELEASE_*} (see {@link ReleaseSettings})
 */
public record ReleaseEnvironment(
        InitSettings init,
        RedisSettings redis,
        BreakerSettings redisBreaker,
        DbSettings db,
        BreakerSettings dbBreaker,
        ReservationPolicy policy,
        Lifetimes lifetimes,
        ReleaseSettings bounds) {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisSettings.VARIABLES,
            BreakerSettings.variables("redis"),
            DbSettings.VARIABLES,
            BreakerSettings.variables("db"),
            ReservationPolicy.VARIABLES,
            ReleaseSettings.VARIABLES);

    public static ReleaseEnvironment from(Config config) {
        return new ReleaseEnvironment(
                InitSettings.from(config, "release"),
                RedisSettings.from(config),
                BreakerSettings.from(config, "redis", Duration.ofMillis(200)),
                DbSettings.from(config),
                BreakerSettings.from(config, "db", Duration.ofSeconds(1)),
                ReservationPolicy.from(config),
                Lifetimes.from(config),
                ReleaseSettings.from(config));
    }
}

package dev.flashsale.release;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.Lifetimes;
import dev.flashsale.reservation.ReservationPolicy;
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
        RedisAccess redis,
        DbAccess db,
        ReservationPolicy policy,
        Lifetimes lifetimes,
        ReleaseSettings bounds)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            ReservationPolicy.VARIABLES,
            ReleaseSettings.VARIABLES);

    public static ReleaseEnvironment from(Config config) {
        return new ReleaseEnvironment(
                InitSettings.from(config, "release"),
                RedisAccess.from(config),
                DbAccess.from(config),
                ReservationPolicy.from(config),
                Lifetimes.from(config),
                ReleaseSettings.from(config));
    }
}

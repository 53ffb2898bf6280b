package dev.flashsale.prewarm;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.Lifetimes;
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
        InitSettings init, RedisAccess redis, DbAccess db, Lifetimes lifetimes, PrewarmSettings run)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            Lifetimes.VARIABLES,
            PrewarmSettings.VARIABLES);

    public static PrewarmEnvironment from(Config config) {
        return new PrewarmEnvironment(
                InitSettings.from(config, "prewarm"),
                RedisAccess.from(config),
                DbAccess.from(config),
                Lifetimes.from(config),
                PrewarmSettings.from(config));
    }
}

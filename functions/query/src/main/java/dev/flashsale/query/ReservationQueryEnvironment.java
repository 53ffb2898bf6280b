package dev.flashsale.query;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.ReservationPolicy;
import java.util.Set;

/**
 * Everything the ReservationQueryFunction reads from its environment, once, in its Init.
 *
 * @param redis   {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db      {@code DATABASE_URL}, {@code DB_*}: only for a reservation Redis no longer has (the connection opens on
 *                such a miss), breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param policy  the reservation settings the store is built with (see {@link ReservationPolicy}); a query only reads
 * @param devMode {@code DEV_MODE}, default false: accept {@code X-Buyer-Id} when there is no JWT (local runs only)
 */
public record ReservationQueryEnvironment(
        InitSettings init, RedisAccess redis, DbAccess db, ReservationPolicy policy, boolean devMode)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            ReservationPolicy.VARIABLES,
            Variables.of("DEV_MODE"));

    public static ReservationQueryEnvironment from(Config config) {
        return new ReservationQueryEnvironment(
                InitSettings.from(config, "query"),
                RedisAccess.from(config),
                DbAccess.from(config),
                ReservationPolicy.from(config),
                config.bool("DEV_MODE", false));
    }
}

package dev.flashsale.query;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.sale.SaleLoading;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the SaleStatusFunction reads from its environment, once, in its Init.
 *
 * @param redis            {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db               {@code DATABASE_URL}, {@code DB_*}: only for a sale Redis does not have yet, breaker
 *                         {@code BREAKER_DB_*} (slow call 1s)
 * @param negativeCacheTtl {@code SALE_NEGATIVE_CACHE_TTL}, default 5s (see {@link SaleLoading})
 */
public record SaleStatusEnvironment(InitSettings init, RedisAccess redis, DbAccess db, Duration negativeCacheTtl)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES, RedisAccess.VARIABLES, DbAccess.VARIABLES, Variables.of("SALE_NEGATIVE_CACHE_TTL"));

    public static SaleStatusEnvironment from(Config config) {
        return new SaleStatusEnvironment(
                InitSettings.from(config, "sale-status"),
                RedisAccess.from(config),
                DbAccess.from(config),
                SaleLoading.negativeCacheTtl(config));
    }
}

package dev.flashsale.confirm;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.Lifetimes;
import java.util.Set;

/**
 * Everything the ConfirmFunction reads from its environment, once, in its Init.
 *
 * @param redis     {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db        {@code DATABASE_URL}, {@code DB_*} (the RDS Proxy endpoint in AWS), breaker {@code BREAKER_DB_*}
 *                  (slow call 1s)
 * @param lifetimes {@code CLAIM_TTL}, {@code REDRIVE_WINDOW} and the other reservation lifetimes they must fit (see
 *                  {@link Lifetimes})
 */
public record ConfirmEnvironment(InitSettings init, RedisAccess redis, DbAccess db, Lifetimes lifetimes)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES =
            Variables.union(InitSettings.VARIABLES, RedisAccess.VARIABLES, DbAccess.VARIABLES, Lifetimes.VARIABLES);

    public static ConfirmEnvironment from(Config config) {
        return new ConfirmEnvironment(
                InitSettings.from(config, "confirm"),
                RedisAccess.from(config),
                DbAccess.from(config),
                Lifetimes.from(config));
    }
}

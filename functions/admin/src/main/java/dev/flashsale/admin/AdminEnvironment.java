package dev.flashsale.admin;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.Lifetimes;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the AdminFunction reads from its environment, once, in its Init.
 *
 * @param redis      {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db         {@code DATABASE_URL}, {@code DB_*}, breaker {@code BREAKER_DB_*} (slow call 1s)
 * @param lifetimes  how long a sale's keys are kept after its end ({@code RESERVATION_RETENTION}, checked with the other
 *                   lifetimes, see {@link Lifetimes})
 * @param devMode    {@code DEV_MODE}, default false: a bearer {@code ADMIN_TOKEN} stands in for IAM (local runs only)
 * @param adminToken {@code ADMIN_TOKEN} (no default; used only in dev mode, at least 16 characters)
 */
public record AdminEnvironment(
        InitSettings init,
        RedisAccess redis,
        DbAccess db,
        Lifetimes lifetimes,
        boolean devMode,
        Optional<String> adminToken)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            Lifetimes.VARIABLES,
            Variables.of("DEV_MODE", "ADMIN_TOKEN"));

    public static AdminEnvironment from(Config config) {
        boolean dev = config.bool("DEV_MODE", false);
        Optional<String> token = config.optional("ADMIN_TOKEN");
        return new AdminEnvironment(
                InitSettings.from(config, "admin"),
                RedisAccess.from(config),
                DbAccess.from(config),
                Lifetimes.from(config),
                dev,
                dev ? token : Optional.empty());
    }

    /** Who may call: in dev mode the token, else only IAM principals. */
    public AdminAuth auth() {
        return new AdminAuth(devMode, adminToken);
    }
}

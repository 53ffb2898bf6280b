package dev.flashsale.db;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.resilience.BreakerSettings;
import java.time.Duration;
import java.util.Set;

/**
 * How a function reaches PostgreSQL: where and how to log in, and the circuit breaker its calls go through. A
 * function's environment record holds one when the function uses the database through a breaker; its Init builds the
 * connection with {@code Wiring.db(access)}.
 *
 * @param settings {@code DATABASE_URL}, {@code DB_*} (see {@link DbSettings})
 * @param breaker  {@code BREAKER_DB_*} / {@code BREAKER_*}, a call slower than {@link #SLOW_CALL} counting as slow
 *                 unless set otherwise (see {@link BreakerSettings})
 */
public record DbAccess(DbSettings settings, BreakerSettings breaker) {

    /** The default slow-call threshold of the {@code db} breaker. */
    public static final Duration SLOW_CALL = Duration.ofSeconds(1);

    public static final Set<String> VARIABLES = Variables.union(DbSettings.VARIABLES, BreakerSettings.variables("db"));

    public static DbAccess from(Config config) {
        return new DbAccess(DbSettings.from(config), BreakerSettings.from(config, "db", SLOW_CALL));
    }
}

package dev.flashsale.redis;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.resilience.BreakerSettings;
import java.time.Duration;
import java.util.Set;

/**
 * How a function reaches Redis: where and how to connect, and the circuit breaker its calls go through. A function's
 * environment record holds one when the function uses Redis; its Init builds the connection with
 * {@code Wiring.redis(access)}.
 *
 * @param settings {@code REDIS_*} (see {@link RedisSettings})
 * @param breaker  {@code BREAKER_REDIS_*} / {@code BREAKER_*}, a call slower than {@link #SLOW_CALL} counting as slow
 *                 unless set otherwise (see {@link BreakerSettings})
 */
public record RedisAccess(RedisSettings settings, BreakerSettings breaker) {

    /** The default slow-call threshold of the {@code redis} breaker: a reserve script runs in well under 1ms. */
    public static final Duration SLOW_CALL = Duration.ofMillis(200);

    public static final Set<String> VARIABLES =
            Variables.union(RedisSettings.VARIABLES, BreakerSettings.variables("redis"));

    public static RedisAccess from(Config config) {
        return new RedisAccess(RedisSettings.from(config), BreakerSettings.from(config, "redis", SLOW_CALL));
    }
}

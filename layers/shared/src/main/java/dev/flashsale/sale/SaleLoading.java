package dev.flashsale.sale;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Set;

/**
 * How a sale that Redis does not know is loaded on first request ({@link SaleLoader}).
 *
 * @param negativeCacheTtl {@code SALE_NEGATIVE_CACHE_TTL}, default 5s (0..10m; 0 turns it off): how long an id unknown to
 *                         the database is answered 404 without asking it again
 * @param loadWait         {@code SALE_LOAD_WAIT}, default 1s (50ms..10s): how long a request waits for another request
 *                         that is loading the same sale before it gives up with 503
 */
public record SaleLoading(Duration negativeCacheTtl, Duration loadWait) {

    public static final Set<String> VARIABLES = Variables.of("SALE_NEGATIVE_CACHE_TTL", "SALE_LOAD_WAIT");

    public static SaleLoading from(Config config) {
        return new SaleLoading(
                negativeCacheTtl(config),
                config.duration(
                        "SALE_LOAD_WAIT", Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(10)));
    }

    /** {@code SALE_NEGATIVE_CACHE_TTL} alone (sale status remembers unknown ids too, and loads nothing). */
    public static Duration negativeCacheTtl(Config config) {
        return config.duration("SALE_NEGATIVE_CACHE_TTL", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(10));
    }
}

package dev.flashsale.prewarm;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a prewarm run behaves.
 *
 * @param horizon     sales starting within this much time are loaded ({@code PREWARM_HORIZON}, default 2h, 1m..7d)
 * @param maxSales    most sales one run looks at, earliest start first ({@code PREWARM_MAX_SALES}, default 500)
 * @param leaseTtl    the lease's time to live, renewed every third of it while the run works
 *                    ({@code PREWARM_LEASE_TTL}, default 30s, 1s..15m)
 * @param timeReserve the run stops starting new sales this long before the function's deadline
 *                    ({@code PREWARM_TIME_RESERVE}, default 5s)
 * @param salePrefix  only sales whose id starts with this ({@code PREWARM_SALE_PREFIX}, default empty = all; for
 *                    shared test and staging databases)
 */
public record PrewarmSettings(
        Duration horizon, int maxSales, Duration leaseTtl, Duration timeReserve, String salePrefix) {

    static final String LEASE_NAME = "prewarm";
    public static final Set<String> VARIABLES = Variables.of(
            "PREWARM_HORIZON", "PREWARM_MAX_SALES", "PREWARM_LEASE_TTL", "PREWARM_TIME_RESERVE", "PREWARM_SALE_PREFIX");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{0,64}");

    public PrewarmSettings {
        if (!PREFIX.matcher(salePrefix).matches()) {
            throw new ConfigException(
                    "PREWARM_SALE_PREFIX must be 0 to 64 letters, digits, '-' or '_', was '" + salePrefix + "'");
        }
    }

    /** {@code prewarm}; runs restricted to a sale prefix have their own lease ({@code prewarm:<prefix>}). */
    public String leaseName() {
        return salePrefix.isEmpty() ? LEASE_NAME : LEASE_NAME + ":" + salePrefix;
    }

    public static PrewarmSettings from(Config config) {
        return new PrewarmSettings(
                config.duration("PREWARM_HORIZON", Duration.ofHours(2), Duration.ofMinutes(1), Duration.ofDays(7)),
                config.integer("PREWARM_MAX_SALES", 500, 1, 100_000),
                config.duration(
                        "PREWARM_LEASE_TTL", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(15)),
                config.duration("PREWARM_TIME_RESERVE", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5)),
                config.string("PREWARM_SALE_PREFIX", ""));
    }
}

package dev.flashsale.resilience;

import dev.flashsale.config.Config;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a dependency's circuit breaker decides. Read from {@code BREAKER_<NAME>_*} variables, falling back to
 * {@code BREAKER_*}, then to the defaults here.
 *
 * @param failureRatePercent  open when this share of recent calls failed; default 50 ({@code FAILURE_RATE})
 * @param slowCallRatePercent open when this share of recent calls were slow; default 80 ({@code SLOW_CALL_RATE})
 * @param slowCall            a call slower than this counts as slow; default 200ms for Redis, 1s otherwise
 *                            ({@code SLOW_CALL})
 * @param window              how many recent calls are judged; default 20 ({@code WINDOW})
 * @param minimumCalls        no verdict before this many calls; default 10 ({@code MIN_CALLS})
 * @param openWait            how long an open breaker refuses before letting probes through; default 5s
 *                            ({@code OPEN_WAIT}); also the Retry-After given to clients
 * @param halfOpenCalls       probe calls in half-open state; default 3 ({@code HALF_OPEN_CALLS})
 */
public record BreakerSettings(
        int failureRatePercent,
        int slowCallRatePercent,
        Duration slowCall,
        int window,
        int minimumCalls,
        Duration openWait,
        int halfOpenCalls) {

    public static BreakerSettings ofDefaults(Duration slowCall) {
        return new BreakerSettings(50, 80, slowCall, 20, 10, Duration.ofSeconds(5), 3);
    }

    private static final List<String> SUFFIXES = List.of(
            "FAILURE_RATE", "SLOW_CALL_RATE", "SLOW_CALL", "WINDOW", "MIN_CALLS", "OPEN_WAIT", "HALF_OPEN_CALLS");

    /** What {@link #from} reads for the breaker {@code name}: {@code BREAKER_<NAME>_*} and {@code BREAKER_*}. */
    public static Set<String> variables(String name) {
        Set<String> names = new TreeSet<>();
        for (String suffix : SUFFIXES) {
            names.add("BREAKER_" + name.toUpperCase(java.util.Locale.ROOT) + "_" + suffix);
            names.add("BREAKER_" + suffix);
        }
        return Collections.unmodifiableSet(names);
    }

    public static BreakerSettings from(Config config, String name, Duration defaultSlowCall) {
        String specific = "BREAKER_" + name.toUpperCase(java.util.Locale.ROOT) + "_";
        BreakerSettings d = ofDefaults(defaultSlowCall);
        return new BreakerSettings(
                integer(config, specific, "FAILURE_RATE", d.failureRatePercent(), 1, 100),
                integer(config, specific, "SLOW_CALL_RATE", d.slowCallRatePercent(), 1, 100),
                duration(config, specific, "SLOW_CALL", d.slowCall(), Duration.ofMillis(1), Duration.ofMinutes(1)),
                integer(config, specific, "WINDOW", d.window(), 1, 10_000),
                integer(config, specific, "MIN_CALLS", d.minimumCalls(), 1, 10_000),
                duration(config, specific, "OPEN_WAIT", d.openWait(), Duration.ofMillis(10), Duration.ofMinutes(10)),
                integer(config, specific, "HALF_OPEN_CALLS", d.halfOpenCalls(), 1, 1000));
    }

    private static int integer(Config c, String specific, String suffix, int d, int min, int max) {
        return c.integer(specific + suffix, c.integer("BREAKER_" + suffix, d, min, max), min, max);
    }

    private static Duration duration(Config c, String specific, String suffix, Duration d, Duration min, Duration max) {
        return c.duration(specific + suffix, c.duration("BREAKER_" + suffix, d, min, max), min, max);
    }
}

package dev.flashsale.release;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.reservation.Lifetimes;
import java.time.Duration;
import java.util.Set;

/**
 * Bounds on one release run.
 *
 * @param maxPerRun   holds and claims handled per run, over all sales; default 2000 ({@code RELEASE_MAX_PER_RUN}).
 *                    What is left waits for the next run.
 * @param maxSales    sales looked at per run, most recently started first; default 500 ({@code RELEASE_MAX_SALES})
 * @param lookback    how long after a sale's end its holds are still looked for ({@link Lifetimes#releaseLookback})
 * @param timeReserve stop starting new work when less than this is left before the function's timeout; default 5s
 *                    ({@code RELEASE_TIME_RESERVE})
 */
public record ReleaseSettings(int maxPerRun, int maxSales, Duration lookback, Duration timeReserve) {

    public static final Set<String> VARIABLES = Variables.union(
            Lifetimes.VARIABLES, Variables.of("RELEASE_MAX_PER_RUN", "RELEASE_MAX_SALES", "RELEASE_TIME_RESERVE"));

    public static ReleaseSettings ofDefaults() {
        return new ReleaseSettings(2000, 500, Lifetimes.ofDefaults().releaseLookback(), Duration.ofSeconds(5));
    }

    public static ReleaseSettings from(Config config) {
        ReleaseSettings d = ofDefaults();
        return new ReleaseSettings(
                config.integer("RELEASE_MAX_PER_RUN", d.maxPerRun(), 1, 1_000_000),
                config.integer("RELEASE_MAX_SALES", d.maxSales(), 1, 100_000),
                Lifetimes.from(config).releaseLookback(),
                config.duration("RELEASE_TIME_RESERVE", d.timeReserve(), Duration.ZERO, Duration.ofMinutes(5)));
    }
}

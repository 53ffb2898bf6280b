package dev.flashsale.release;

import java.time.Duration;

import dev.flashsale.config.Config;

/**
 * Bounds on one release run.
 *
 * @param maxPerRun   holds and claims handled per run, over all sales; default 2000 ({@code RELEASE_MAX_PER_RUN}).
 *                    What is left waits for the next run.
 * @param maxSales    sales looked at per run, most recently started first; default 500 ({@code RELEASE_MAX_SALES})
 * @param lookback    how long after a sale's end its holds are still looked for; default 1d ({@code RELEASE_LOOKBACK});
 *                    it must exceed {@code HOLD_TTL} plus {@code CLAIM_TTL}
 * @param timeReserve stop starting new work when less than this is left before the function's timeout; default 5s
 *                    ({@code RELEASE_TIME_RESERVE})
 */
public record ReleaseSettings(int maxPerRun, int maxSales, Duration lookback, Duration timeReserve) {

    public static ReleaseSettings ofDefaults() {
        return new ReleaseSettings(2000, 500, Duration.ofDays(1), Duration.ofSeconds(5));
    }

    public static ReleaseSettings from(Config config) {
        ReleaseSettings d = ofDefaults();
        return new ReleaseSettings(
                config.integer("RELEASE_MAX_PER_RUN", d.maxPerRun(), 1, 1_000_000),
                config.integer("RELEASE_MAX_SALES", d.maxSales(), 1, 100_000),
                config.duration("RELEASE_LOOKBACK", d.lookback(), Duration.ofMinutes(1), Duration.ofDays(30)),
                config.duration("RELEASE_TIME_RESERVE", d.timeReserve(), Duration.ZERO, Duration.ofMinutes(5)));
    }
}

package dev.flashsale.reservation;

import java.time.Duration;

import dev.flashsale.config.Config;

/**
 * How holds and rate limits behave.
 *
 * @param holdDuration  how long a hold lasts before the release job may return it to stock; default 10m
 *                      ({@code HOLD_TTL})
 * @param rateBurst     token-bucket size per buyer and sale; default 5 ({@code RATE_LIMIT_BURST})
 * @param ratePerSecond tokens refilled per second; default 1 ({@code RATE_LIMIT_PER_SECOND})
 * @param retention     how long reservations stay in Redis after the sale ends; default 7d
 *                      ({@code RESERVATION_RETENTION})
 */
public record ReservationPolicy(Duration holdDuration, int rateBurst, double ratePerSecond, Duration retention) {

    public static ReservationPolicy ofDefaults() {
        return new ReservationPolicy(Duration.ofMinutes(10), 5, 1.0, Duration.ofDays(7));
    }

    public static ReservationPolicy from(Config config) {
        ReservationPolicy d = ofDefaults();
        return new ReservationPolicy(
                config.duration("HOLD_TTL", d.holdDuration(), Duration.ofSeconds(1), Duration.ofHours(24)),
                config.integer("RATE_LIMIT_BURST", d.rateBurst(), 1, 100_000),
                config.decimal("RATE_LIMIT_PER_SECOND", d.ratePerSecond(), 0.001, 100_000),
                config.duration("RESERVATION_RETENTION", d.retention(), Duration.ofMinutes(1), Duration.ofDays(365)));
    }
}

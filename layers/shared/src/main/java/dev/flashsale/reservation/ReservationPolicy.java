package dev.flashsale.reservation;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Set;

/**
 * How holds, replays and rate limits behave.
 *
 * @param holdDuration   how long a hold lasts before the release job may return it to stock ({@link Lifetimes#hold})
 * @param rateBurst      token-bucket size per buyer and sale; default 5 ({@code RATE_LIMIT_BURST}). Replays of an
 *                       idempotency key spend tokens too.
 * @param ratePerSecond  tokens refilled per second; default 1 ({@code RATE_LIMIT_PER_SECOND})
 * @param retention      how long reservations stay in Redis after the sale ends ({@link Lifetimes#retention})
 * @param resendInterval a replay of a live hold re-sends its confirmation (the first attempt may have died between
 *                       hold and send) at most once per this; default 5s ({@code REPLAY_RESEND_INTERVAL}, 100ms..1h)
 */
public record ReservationPolicy(
        Duration holdDuration, int rateBurst, double ratePerSecond, Duration retention, Duration resendInterval) {

    public static final Set<String> VARIABLES = Variables.union(
            Lifetimes.VARIABLES, Variables.of("RATE_LIMIT_BURST", "RATE_LIMIT_PER_SECOND", "REPLAY_RESEND_INTERVAL"));

    public static ReservationPolicy ofDefaults() {
        Lifetimes l = Lifetimes.ofDefaults();
        return new ReservationPolicy(l.hold(), 5, 1.0, l.retention(), Duration.ofSeconds(5));
    }

    public static ReservationPolicy from(Config config) {
        ReservationPolicy d = ofDefaults();
        Lifetimes lifetimes = Lifetimes.from(config);
        return new ReservationPolicy(
                lifetimes.hold(),
                config.integer("RATE_LIMIT_BURST", d.rateBurst(), 1, 100_000),
                config.decimal("RATE_LIMIT_PER_SECOND", d.ratePerSecond(), 0.001, 100_000),
                lifetimes.retention(),
                config.duration(
                        "REPLAY_RESEND_INTERVAL", d.resendInterval(), Duration.ofMillis(100), Duration.ofHours(1)));
    }
}

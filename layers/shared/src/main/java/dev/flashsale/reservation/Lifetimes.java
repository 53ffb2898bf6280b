package dev.flashsale.reservation;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Set;

/**
 * How long a reservation may stay in each state. Read and checked together, by every function that uses any of them,
 * because they only work when they fit each other: a reservation must still be in Redis when the release job comes to
 * decide it, and the release job must still look at its sale then.
 *
 * @param hold            {@code HOLD_TTL}, default 10m (1s..24h): how long a hold lasts before the release job may
 *                        return it to stock
 * @param claim           {@code CLAIM_TTL}, default 5m (1s..1h): how long a confirmer's claim protects a reservation
 *                        from the release job; it must outlast the confirm queue's visibility timeout, so that a
 *                        confirmer that died is replaced by a redelivery before the claim lapses
 * @param redriveWindow   {@code REDRIVE_WINDOW}, default 1d (1m..14d): how long a claim is kept for a confirmation that
 *                        failed (its message may be waiting in the DLQ): redriven within it, the reservation still
 *                        becomes an order; after it, the release job releases it (CLAIM_EXPIRED). At least
 *                        {@code CLAIM_TTL}.
 * @param releaseLookback {@code RELEASE_LOOKBACK}, default 2d (1m..30d): how long after a sale's end the release job
 *                        still looks at it; at least {@code HOLD_TTL + REDRIVE_WINDOW}, the latest a reservation taken
 *                        at the end can still be undecided
 * @param retention       {@code RESERVATION_RETENTION}, default 7d (1m..365d): how long a sale's reservations stay in
 *                        Redis after it ends; at least {@code RELEASE_LOOKBACK}
 */
public record Lifetimes(
        Duration hold, Duration claim, Duration redriveWindow, Duration releaseLookback, Duration retention) {

    public Lifetimes {
        if (redriveWindow.compareTo(claim) < 0) {
            throw new ConfigException(
                    "REDRIVE_WINDOW (" + redriveWindow + ") must be at least CLAIM_TTL (" + claim + ")");
        }
        if (releaseLookback.compareTo(hold.plus(redriveWindow)) < 0) {
            throw new ConfigException("RELEASE_LOOKBACK (" + releaseLookback
                    + ") must be at least HOLD_TTL + REDRIVE_WINDOW (" + hold + " + " + redriveWindow
                    + "): a reservation taken at a sale's end may be undecided that long");
        }
        if (retention.compareTo(releaseLookback) < 0) {
            throw new ConfigException("RESERVATION_RETENTION (" + retention + ") must be at least RELEASE_LOOKBACK ("
                    + releaseLookback + "): the release job must still find the reservations of the sales it looks at");
        }
    }

    public static final Set<String> VARIABLES =
            Variables.of("HOLD_TTL", "CLAIM_TTL", "REDRIVE_WINDOW", "RELEASE_LOOKBACK", "RESERVATION_RETENTION");

    public static Lifetimes ofDefaults() {
        return new Lifetimes(
                Duration.ofMinutes(10),
                Duration.ofMinutes(5),
                Duration.ofDays(1),
                Duration.ofDays(2),
                Duration.ofDays(7));
    }

    public static Lifetimes from(Config config) {
        Lifetimes d = ofDefaults();
        return new Lifetimes(
                config.duration("HOLD_TTL", d.hold(), Duration.ofSeconds(1), Duration.ofHours(24)),
                config.duration("CLAIM_TTL", d.claim(), Duration.ofSeconds(1), Duration.ofHours(1)),
                config.duration("REDRIVE_WINDOW", d.redriveWindow(), Duration.ofMinutes(1), Duration.ofDays(14)),
                config.duration("RELEASE_LOOKBACK", d.releaseLookback(), Duration.ofMinutes(1), Duration.ofDays(30)),
                config.duration("RESERVATION_RETENTION", d.retention(), Duration.ofMinutes(1), Duration.ofDays(365)));
    }
}

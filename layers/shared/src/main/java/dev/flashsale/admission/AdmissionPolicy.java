package dev.flashsale.admission;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Set;

/**
 * How a ticketed sale's waiting room admits buyers (docs/admission.md).
 *
 * @param factor      {@code ADMISSION_FACTOR}, default 1.0 (1..10): admitted-but-undecided buyers allowed per
 *                    available unit. 1 admits no more buyers than there are units; above 1 covers admitted buyers who
 *                    never reserve, at the price of some who are admitted and then find the sale sold out
 * @param ratePerSecond {@code ADMISSION_RATE_PER_SECOND}, default 100 (1..100,000): at most this many admissions per
 *                    second, whatever the stock (the reservation path's capacity)
 * @param ticketTtl   {@code ADMISSION_TICKET_TTL}, default 60s (5s..15m): how long an admitted buyer's ticket lasts;
 *                    unused by then, the buyer loses their turn and the place goes to the next
 * @param joinLead    {@code ADMISSION_JOIN_LEAD}, default 15m (0..24h): the queue opens this long before the sale starts
 *                    (positions are given in arrival order from then; admission starts at the start)
 * @param retention   how long the queue's keys stay in Redis after the sale ends (the reservations' retention)
 */
public record AdmissionPolicy(
        double factor,
        double ratePerSecond,
        Duration ticketTtl,
        Duration joinLead,
        Duration retention,
        double placeReadsPerSecond) {

    /** Place reads a buyer may make at once before {@code placeReadsPerSecond} applies. */
    public static final int PLACE_READ_BURST = 10;

    public static final Set<String> VARIABLES = Variables.of(
            "ADMISSION_FACTOR",
            "ADMISSION_RATE_PER_SECOND",
            "ADMISSION_TICKET_TTL",
            "ADMISSION_JOIN_LEAD",
            "ADMISSION_PLACE_READS_PER_SECOND");

    /** Without a limit on a buyer's place reads (tests that poll in tight loops). */
    public AdmissionPolicy(
            double factor, double ratePerSecond, Duration ticketTtl, Duration joinLead, Duration retention) {
        this(factor, ratePerSecond, ticketTtl, joinLead, retention, 0);
    }

    public static AdmissionPolicy ofDefaults(Duration retention) {
        return new AdmissionPolicy(1.0, 100, Duration.ofSeconds(60), Duration.ofMinutes(15), retention, 2);
    }

    public static AdmissionPolicy from(Config config, Duration retention) {
        AdmissionPolicy d = ofDefaults(retention);
        return new AdmissionPolicy(
                config.decimal("ADMISSION_FACTOR", d.factor(), 1, 10),
                config.decimal("ADMISSION_RATE_PER_SECOND", d.ratePerSecond(), 1, 100_000),
                config.duration("ADMISSION_TICKET_TTL", d.ticketTtl(), Duration.ofSeconds(5), Duration.ofMinutes(15)),
                config.duration("ADMISSION_JOIN_LEAD", d.joinLead(), Duration.ZERO, Duration.ofHours(24)),
                retention,
                config.decimal("ADMISSION_PLACE_READS_PER_SECOND", d.placeReadsPerSecond(), 0, 1_000));
    }
}

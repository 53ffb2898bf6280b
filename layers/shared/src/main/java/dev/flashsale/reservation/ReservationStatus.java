package dev.flashsale.reservation;

import java.util.EnumSet;
import java.util.Set;

/**
 * A reservation's life in Redis: {@code HELD → CLAIMED → CONFIRMED}, or {@code HELD → EXPIRED} (hold deadline passed) or
 * {@code HELD → CANCELLED} (the confirmation could not be queued). A claimed hold whose confirmer died is decided by
 * the database: {@code CLAIMED → CONFIRMED} or {@code CLAIMED → EXPIRED}. In a sale with a payment window the buyer may
 * cancel too: a hold not confirmed yet ({@code HELD} or {@code CLAIMED → CANCELLED}) or an unpaid order
 * ({@code CONFIRMED → CANCELLED}, when the database cancelled it; docs/payment.md).
 */
public enum ReservationStatus {
    HELD,
    CLAIMED,
    CONFIRMED,
    EXPIRED,
    CANCELLED;

    public Set<ReservationStatus> next() {
        return switch (this) {
            case HELD -> EnumSet.of(CLAIMED, EXPIRED, CANCELLED);
            case CLAIMED -> EnumSet.of(CONFIRMED, EXPIRED, CANCELLED);
            case CONFIRMED -> EnumSet.of(CANCELLED);
            case EXPIRED, CANCELLED -> EnumSet.noneOf(ReservationStatus.class);
        };
    }

    public boolean canBecome(ReservationStatus target) {
        return next().contains(target);
    }

    /** Whether the units still count against stock (held, claimed or sold). */
    public boolean holdsStock() {
        return this == HELD || this == CLAIMED || this == CONFIRMED;
    }

    public boolean isFinal() {
        return next().isEmpty();
    }
}

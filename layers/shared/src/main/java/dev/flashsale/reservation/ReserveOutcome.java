package dev.flashsale.reservation;

/** What {@link ReservationStore#reserve} did. */
public sealed interface ReserveOutcome {

    /** A hold: new, or the existing one for a replayed idempotency key. */
    record Held(Reservation reservation, long remaining, boolean replayed) implements ReserveOutcome {
    }

    record Refused(Refusal refusal) implements ReserveOutcome {
    }
}

package dev.flashsale.reservation;

/** What {@link ReservationStore#reserve} did. */
public sealed interface ReserveOutcome {

    /**
     * A hold: new, or the existing one for a replayed idempotency key.
     *
     * @param send whether the caller must send its confirmation now: always for a new hold; for a replay of a live
     *             hold at most once per {@link ReservationPolicy#resendInterval} (the first attempt may have died
     *             between hold and send); never for a replay of anything else
     */
    record Held(Reservation reservation, long remaining, boolean replayed, boolean send) implements ReserveOutcome {}

    record Refused(Refusal refusal) implements ReserveOutcome {}
}

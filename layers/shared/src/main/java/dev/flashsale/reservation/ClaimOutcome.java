package dev.flashsale.reservation;

/** What claiming a reservation for confirmation did. */
public sealed interface ClaimOutcome {

    /** Now CLAIMED by the caller; {@code again} when it was CLAIMED already (a redelivery after a crash). */
    record Claimed(Reservation reservation, boolean again) implements ClaimOutcome {}

    /**
     * Redis had lost it (a failover); the hold, still live, was restored from its confirmation message and is now CLAIMED
     * by the caller.
     */
    record Restored(Reservation reservation) implements ClaimOutcome {}

    /** Still HELD but past its deadline: never claimed; the release job returns it to stock. */
    record HoldExpired(Reservation reservation) implements ClaimOutcome {}

    /** In a state that is never claimed: CONFIRMED, EXPIRED or CANCELLED. */
    record NotClaimable(ReservationStatus status) implements ClaimOutcome {}

    /** No such reservation in Redis (never made, past retention, or lost in a failover). */
    record Unknown() implements ClaimOutcome {}
}

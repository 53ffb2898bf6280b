package dev.flashsale.reservation;

import java.util.Optional;

/** What cancelling a hold did: cancelled (with the stock now available), or nothing because of its current state. */
public sealed interface ReleaseOutcome {

    record Released(long remaining) implements ReleaseOutcome {}

    /** The reservation is no longer HELD; {@code status} is what it is now, empty if unknown. */
    record NotHeld(Optional<ReservationStatus> status) implements ReleaseOutcome {}
}

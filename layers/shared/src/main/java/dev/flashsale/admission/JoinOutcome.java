package dev.flashsale.admission;

import java.time.Instant;

/** What joining a sale's queue answered. */
public sealed interface JoinOutcome {

    /** The buyer's place; {@code first}: this call gave it (false: they had it already, nothing was written). */
    record Joined(long position, boolean first) implements JoinOutcome {}

    /** Redis does not know the sale (not loaded yet, or no such sale). */
    record UnknownSale() implements JoinOutcome {}

    /** The sale is open: buyers reserve without a queue. */
    record NotTicketed() implements JoinOutcome {}

    /** The queue opens at {@code opensAt} (the join lead before the start). */
    record NotOpen(Instant opensAt) implements JoinOutcome {}

    record Ended(Instant endedAt) implements JoinOutcome {}
}

package dev.flashsale.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a buyer stands in a ticketed sale's queue, or why there is no place to stand in. Every place in a queue carries
 * the {@link Gate}: how far admission has got, which is all a waiting buyer needs to poll.
 */
public sealed interface QueuePlace {

    /**
     * The sale's admission as of this answer.
     *
     * @param admittedUpTo positions admitted so far (every position up to it has had its turn)
     * @param joined       positions given so far
     * @param available    units available now
     * @param undecided    admitted buyers who have neither taken a hold nor lapsed
     * @param bound        floor(available x factor): admission waits while {@code undecided} is at it
     * @param admittedNow  positions this very call admitted
     */
    record Gate(long admittedUpTo, long joined, long available, long undecided, long bound, long admittedNow) {}

    /**
     * The buyer waits: {@code ahead} positions are before theirs and not yet admitted.
     *
     * @param admissionStarts when admission begins, if it has not yet (the sale's start)
     */
    record Waiting(long position, long ahead, Optional<Instant> admissionStarts, Gate gate) implements QueuePlace {}

    /** The buyer's turn: they may reserve with a ticket until {@code until}. */
    record Admitted(long position, Instant until, Gate gate) implements QueuePlace {}

    /** The buyer was admitted and took a hold. */
    record Used(long position, Gate gate) implements QueuePlace {}

    /** The buyer was admitted and let the ticket lapse: the turn has passed. */
    record Lapsed(long position, Gate gate) implements QueuePlace {}

    /** No unit is available and the buyer's turn has not come: closed until units return (expired holds). */
    record SoldOut(long position, Gate gate) implements QueuePlace {}

    /** The buyer has not joined; or no buyer was asked about (the gate alone). */
    record NotJoined(Gate gate) implements QueuePlace {}

    /** The sale has ended. */
    record Ended(Instant endedAt, Gate gate) implements QueuePlace {}

    /** Redis does not know the sale (not loaded yet, or no such sale). */
    record UnknownSale() implements QueuePlace {}

    /** The sale is open: buyers reserve without a queue. */
    record NotTicketed() implements QueuePlace {}

    /** The buyer read their place too often (ADMISSION_PLACE_READS_PER_SECOND): nothing was done; retry after. */
    record RateLimited(Duration retryAfter) implements QueuePlace {}
}

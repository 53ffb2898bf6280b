package dev.flashsale.reservation;

/** What {@link ReservationStore#reserve} did. */
public sealed interface ReserveOutcome {

    /**
     * A hold: new, or the existing one for a replayed idempotency key.
     *
     * @param send whether the caller must send its confirmation now: always for a new hold; for a replay of a live
     *             hold at most once per {@link ReservationPolicy#resendInterval} (the first attempt may have died
     *             between hold and send); never for a replay of anything else
     * @param remaining units left in the sale after this hold (in a sale of several buckets: in the buyer's home
     *                  bucket, or, when that is empty, in all of them as read just after); {@link #UNKNOWN} when one
     *                  of those buckets could not be read (its shard cannot serve)
     * @param bucket    the buyer's home bucket, where the reservation lives ({@link dev.flashsale.redis.Buckets})
     */
    record Held(Reservation reservation, long remaining, boolean replayed, boolean send, int bucket)
            implements ReserveOutcome {
        /** {@code remaining} when it could not be read: never taken for "sold out", left out of the answer. */
        public static final long UNKNOWN = -1;
    }

    record Refused(Refusal refusal) implements ReserveOutcome {}
}

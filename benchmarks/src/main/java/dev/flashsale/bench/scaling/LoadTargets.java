package dev.flashsale.bench.scaling;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import java.util.List;

/**
 * What the scaling benchmark spreads its reservations over: {@link ManySales} (many sales, one hash tag each, so one
 * slot and one shard each) or {@link BucketedSale} (one sale split into stock buckets, one hash tag each): its targets
 * are its buckets, and {@link #reserve} goes to the buyer's home bucket, which {@link #served} names.
 */
interface LoadTargets {

    /** One line for the report, e.g. "12 sales". */
    String describe();

    /** How many targets the load is spread over. */
    int size();

    /** The cluster slot of each target (its hash tag's), in target order: which shard serves it. */
    List<Integer> slots();

    /** Creates the targets in Redis (no database) and loads the scripts on the shards that serve them. */
    void load(RedisConnection redis);

    /** One reservation of one unit for a new buyer on target {@code target}, through {@link ReservationStore}. */
    ReserveOutcome reserve(ReservationStore store, int target, String buyerId, String idempotencyKey);

    /**
     * The target that served {@link #reserve}{@code (store, target, buyerId, ...)}: {@code target} itself for separate
     * sales; the buyer's home bucket for a bucketed sale, whatever {@code target} the benchmark dealt.
     */
    default int served(int target, String buyerId) {
        return target;
    }

    /** Stock transfers between the targets so far (a bucketed sale's {@code lent} journals); 0 for separate sales. */
    default long transfers(RedisConnection redis) {
        return 0;
    }
}

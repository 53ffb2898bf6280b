package dev.flashsale.bench.scaling;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import java.util.List;

/**
 * What the scaling benchmark spreads its reservations over: today {@link ManySales} (many sales, one hash tag each, so
 * one slot and one shard each). When a sale can be split into stock buckets (issue 19 item 2), one bucketed sale
 * becomes another implementation: its targets are its buckets, and {@link #reserve} routes a buyer to their home
 * bucket; the benchmark itself does not change.
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
}

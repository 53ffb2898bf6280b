package dev.flashsale.invariants;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One stock bucket of a sale as Redis has it, read key after key (not one snapshot: read a quiet sale).
 *
 * @param counter      the available-stock counter, null when missing
 * @param reservations reservation id &rarr; reservation JSON
 * @param units        buyer &rarr; units counted
 * @param reconciledAt meta.reconciled (epoch ms), 0 when never reconciled
 * @param confirmed    meta.confirmed, null when absent
 * @param allot        meta.allot (a bucket of a sale in several), null when absent
 * @param lent         transfer id &rarr; {@code "<to bucket> <units> <epoch ms>"}
 * @param received     transfer id &rarr; {@code "<from bucket> <units>"}
 */
record BucketSnapshot(
        SaleKeys keys,
        String counter,
        Map<String, String> reservations,
        Set<String> holds,
        Set<String> claims,
        Map<String, String> units,
        long reconciledAt,
        String confirmed,
        String allot,
        Map<String, String> lent,
        Map<String, String> received) {

    static BucketSnapshot read(RedisConnection redis, SaleKeys k) {
        String counter = redis.call(c -> c.get(k.stock()));
        Map<String, String> reservations = redis.call(c -> c.hgetAll(k.reservations()));
        Set<String> holds = new HashSet<>(redis.call(c -> c.zrange(k.holds(), 0, -1)));
        Set<String> claims = new HashSet<>(redis.call(c -> c.zrange(k.claims(), 0, -1)));
        Map<String, String> units = redis.call(c -> c.hgetAll(k.units()));
        List<String> meta = redis.call(c -> c.hmget(k.meta(), "reconciled", "confirmed", "allot"));
        Map<String, String> lent = redis.call(c -> c.hgetAll(k.lent()));
        Map<String, String> received = redis.call(c -> c.hgetAll(k.received()));
        return new BucketSnapshot(
                k,
                counter,
                reservations,
                holds,
                claims,
                units,
                meta.get(0) == null ? 0 : Long.parseLong(meta.get(0)),
                meta.get(1),
                meta.get(2),
                lent,
                received);
    }

    int bucket() {
        return keys.bucket();
    }

    long available() {
        return counter == null ? 0 : Long.parseLong(counter);
    }
}

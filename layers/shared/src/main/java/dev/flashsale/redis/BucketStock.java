package dev.flashsale.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * Units available in a sale's buckets ({@link Buckets}), read one bucket after another (each its own slot): what a
 * buyer could take now, so a bucket below zero (paying back a deficit) counts as none.
 */
public record BucketStock(RedisConnection redis) {

    /** Each bucket's available units, bucket 0 first; a bucket without a counter has none. */
    public List<Long> each(String saleId, int count) {
        List<Long> units = new ArrayList<>(count);
        for (SaleKeys k : Buckets.all(saleId, count)) {
            String v = redis.call(k.stock(), c -> c.get(k.stock()));
            units.add(v == null ? 0L : Math.max(0L, Long.parseLong(v)));
        }
        return units;
    }

    /** The sum of {@link #each}. */
    public long total(String saleId, int count) {
        return each(saleId, count).stream().mapToLong(Long::longValue).sum();
    }
}

package dev.flashsale.admin;

import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stock bucket of a sale split into several, as Redis has it now.
 *
 * @param available the bucket's counter as it is (below zero while a deficit found by reconciliation is paid back,
 *                  unlike the sale's {@code available}, which counts such a bucket as none); null when the bucket has
 *                  no counter (not loaded, or lost in a failover until prewarm reloads it)
 * @param allot     units assigned to the bucket: its share at load, plus units received, minus units lent; null when
 *                  its definition is missing
 */
record BucketFigure(int bucket, Long available, Long allot) {

    /** Every bucket of the sale, bucket 0 first: two reads per bucket. */
    static List<BucketFigure> read(RedisConnection redis, String saleId, int count) {
        List<BucketFigure> figures = new ArrayList<>(count);
        for (SaleKeys k : Buckets.all(saleId, count)) {
            String available = redis.call(k.stock(), c -> c.get(k.stock()));
            String allot = redis.call(k.meta(), c -> c.hget(k.meta(), "allot"));
            figures.add(new BucketFigure(k.bucket(), number(available), number(allot)));
        }
        return figures;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket", bucket);
        m.put("available", available);
        m.put("allot", allot);
        return m;
    }

    private static Long number(String text) {
        return text == null ? null : Long.valueOf(text);
    }
}

package dev.flashsale.redis;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many buckets each sale has, as Redis recorded it at load ({@code meta.buckets} of bucket 0; a sale loaded
 * without the field has one). Remembered in this environment: the number is part of a sale's definition and never
 * changes, so each sale costs one read per environment. A sale Redis does not know is not remembered.
 */
public final class BucketCounts {

    /** Bounds the memory of an environment that sees many sales; the next read of a forgotten one asks again. */
    static final int REMEMBERED = 10_000;

    private final RedisConnection redis;
    private final Map<String, Integer> known = new ConcurrentHashMap<>();

    public BucketCounts(RedisConnection redis) {
        this.redis = redis;
    }

    /** The sale's buckets, or empty when Redis has not loaded the sale. */
    public OptionalInt of(String saleId) {
        Integer n = known.get(saleId);
        if (n != null) {
            return OptionalInt.of(n);
        }
        String meta = new SaleKeys(saleId).meta();
        var fields = redis.call(meta, c -> c.hmget(meta, "buckets", "start"));
        if (fields.get(1) == null) {
            return OptionalInt.empty();
        }
        int count = fromMeta(fields.get(0));
        if (known.size() >= REMEMBERED) {
            known.clear();
        }
        known.put(saleId, count);
        return OptionalInt.of(count);
    }

    /** The count of a sale's {@code meta.buckets} field: a sale loaded before buckets existed has none, and one bucket. */
    public static int fromMeta(String field) {
        return field == null ? 1 : Integer.parseInt(field);
    }

    /** The sale's buckets, 1 when Redis has not loaded it (its bucket 0 then answers for it: the sale is unknown). */
    public int orOne(String saleId) {
        return of(saleId).orElse(1);
    }

    /** The keys of the buyer's home bucket in the sale (bucket 0 when the sale is not loaded). */
    public SaleKeys home(String saleId, String buyerId) {
        return Buckets.homeKeys(saleId, buyerId, orOne(saleId));
    }
}

package dev.flashsale.sale;

import dev.flashsale.redis.BucketStock;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import java.time.Duration;
import java.util.List;

/**
 * Sales as the reservation script sees them in Redis.
 *
 * @param retention how long after the sale's end its keys are kept
 */
public record SaleCache(RedisConnection redis, Duration retention) {

    /**
     * Writes the sale's definition, and its stock counter only if there is none yet, in every bucket (each with its
     * share of the stock).
     *
     * @return whether a stock counter was created
     */
    public boolean load(Sale sale) {
        boolean created = false;
        for (SaleKeys k : Buckets.all(sale.id(), sale.buckets())) {
            Object one = redis.call(
                    k.meta(),
                    c -> LuaScript.LOAD_SALE.run(
                            c,
                            List.of(k.meta(), k.stock()),
                            List.of(
                                    Integer.toString(sale.stock()),
                                    Long.toString(sale.startsAt().toEpochMilli()),
                                    Long.toString(sale.endsAt().toEpochMilli()),
                                    Integer.toString(sale.perBuyerLimit()),
                                    Integer.toString(sale.perOrderMax()),
                                    Long.toString(sale.endsAt().plus(retention).toEpochMilli()),
                                    sale.admission().wire(),
                                    Integer.toString(sale.buckets()),
                                    Integer.toString(Buckets.share(sale.stock(), sale.buckets(), k.bucket())))));
            created |= ((Number) one).longValue() == 1;
        }
        return created;
    }

    /**
     * Units currently available, summed over the sale's {@code buckets} (a bucket below zero, paying back a deficit,
     * counts as none when there are several), or -1 when the sale is not loaded.
     */
    public long available(String saleId, int buckets) {
        String first = redis.call(new SaleKeys(saleId).stock(), c -> c.get(new SaleKeys(saleId).stock()));
        if (first == null) {
            return -1;
        }
        if (buckets == 1) {
            return Long.parseLong(first);
        }
        return new BucketStock(redis).total(saleId, buckets);
    }
}

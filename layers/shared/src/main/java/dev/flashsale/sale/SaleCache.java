package dev.flashsale.sale;

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
     * Writes the sale's definition, and its stock counter only if there is none yet.
     *
     * @return whether the stock counter was created
     */
    public boolean load(Sale sale) {
        SaleKeys k = new SaleKeys(sale.id());
        Object created = redis.call(c -> LuaScript.LOAD_SALE.run(
                c,
                List.of(k.meta(), k.stock()),
                List.of(
                        Integer.toString(sale.stock()),
                        Long.toString(sale.startsAt().toEpochMilli()),
                        Long.toString(sale.endsAt().toEpochMilli()),
                        Integer.toString(sale.perBuyerLimit()),
                        Integer.toString(sale.perOrderMax()),
                        Long.toString(sale.endsAt().plus(retention).toEpochMilli()),
                        sale.admission().wire())));
        return ((Number) created).longValue() == 1;
    }

    /** Units currently available, or -1 when the sale is not loaded. */
    public long available(String saleId) {
        String v = redis.call(c -> c.get(new SaleKeys(saleId).stock()));
        return v == null ? -1 : Long.parseLong(v);
    }
}

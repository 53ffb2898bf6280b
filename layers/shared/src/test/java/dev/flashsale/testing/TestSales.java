package dev.flashsale.testing;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Sales seeded straight into Redis, each with a fresh id so tests never see each other's data. */
public final class TestSales {

    private TestSales() {}

    public static String newId() {
        return "t-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A sale that opened a minute ago and closes in an hour. */
    public static Sale live(int stock, int perBuyerLimit, int perOrderMax) {
        Instant now = Instant.now();
        return new Sale(
                newId(),
                stock,
                perBuyerLimit,
                perOrderMax,
                now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofHours(1)));
    }

    /** {@link #live}, split into {@code buckets} stock buckets. */
    public static Sale split(int stock, int perBuyerLimit, int perOrderMax, int buckets) {
        return live(stock, perBuyerLimit, perOrderMax, dev.flashsale.sale.Admission.OPEN, buckets);
    }

    /** {@link #live}, but buyers reserve only with an admission ticket. */
    public static Sale ticketed(int stock, int perBuyerLimit, int perOrderMax) {
        return live(stock, perBuyerLimit, perOrderMax, dev.flashsale.sale.Admission.TICKETED, 1);
    }

    private static Sale live(
            int stock, int perBuyerLimit, int perOrderMax, dev.flashsale.sale.Admission admission, int buckets) {
        Sale s = live(stock, perBuyerLimit, perOrderMax);
        return new Sale(s.id(), stock, perBuyerLimit, perOrderMax, s.startsAt(), s.endsAt(), admission, buckets);
    }

    public static Sale seed(RedisConnection redis, Sale sale) {
        new SaleCache(redis, Duration.ofDays(1)).load(sale);
        return sale;
    }
}

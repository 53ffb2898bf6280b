package dev.flashsale.local.dashboard;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SalePhase;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sales the dashboard lists: those live or starting within two hours (the ones prewarm keeps in Redis), most
 * recently started first, each with its stock, units left (Redis) and units sold (confirmed orders, the database).
 */
final class SalesView implements AutoCloseable {

    static final int SHOWN = 12;
    private static final int SCANNED = 500;

    private final DbConnection db;
    private final RedisConnection redis;
    private final SaleRepository sales;
    private final SaleCache cache;

    SalesView(DbSettings db, RedisSettings redisSettings) {
        this.db = DbConnection.create(db);
        this.redis = RedisConnection.create(redisSettings);
        this.sales = new SaleRepository(this.db);
        this.cache = new SaleCache(this.redis, Duration.ofDays(1));
    }

    List<Map<String, Object>> now() {
        Instant now = Instant.now();
        return sales.openOrStartingBefore(now, now.plus(Duration.ofHours(2)), "", SCANNED).stream()
                .sorted(Comparator.comparing((SaleRecord r) -> r.sale().startsAt())
                        .reversed()
                        .thenComparing(SaleRecord::id))
                .limit(SHOWN)
                .map(r -> row(r, now))
                .toList();
    }

    private Map<String, Object> row(SaleRecord r, Instant now) {
        long left = cache.available(r.id(), r.sale().buckets());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("item", r.item());
        m.put("stock", r.sale().stock());
        m.put("unitsLeft", left < 0 ? null : left); // null: not loaded in Redis yet
        m.put("sold", r.sold());
        m.put(
                "status",
                SalePhase.of(
                                r.sale().startsAt(),
                                r.sale().endsAt(),
                                left < 0 ? r.sale().stock() - r.sold() : left,
                                now)
                        .wire());
        return m;
    }

    @Override
    public void close() {
        redis.close();
        db.close();
    }
}

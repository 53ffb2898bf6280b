package dev.flashsale.query;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.NegativeCache;
import dev.flashsale.sale.SalePhase;

/**
 * A sale's public status: from Redis when the sale is loaded (one round trip for the definition, one for the counter),
 * else from the database, with unknown ids remembered for a short time so that they cannot hammer it.
 */
public final class SaleStatusHandler {

    private final RedisConnection redis;
    private final SaleRepository sales;
    private final NegativeCache missing;
    private final Clock clock;

    public SaleStatusHandler(RedisConnection redis, SaleRepository sales, NegativeCache missing, Clock clock) {
        this.redis = redis;
        this.sales = sales;
        this.missing = missing;
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant();
    }

    public Optional<SaleStatus> status(String saleId) {
        SaleKeys k = new SaleKeys(saleId);
        List<String> meta = redis.call(c -> c.hmget(k.meta(), "stock", "start", "end"));
        Instant now = clock.instant();
        if (meta.get(0) != null && meta.get(1) != null && meta.get(2) != null) {
            String available = redis.call(c -> c.get(k.stock()));
            long stock = Long.parseLong(meta.get(0));
            long remaining = available == null ? 0 : Math.max(0, Long.parseLong(available));
            Instant start = Instant.ofEpochMilli(Long.parseLong(meta.get(1)));
            Instant end = Instant.ofEpochMilli(Long.parseLong(meta.get(2)));
            return Optional.of(new SaleStatus(saleId, SalePhase.of(start, end, remaining, now), stock, remaining, start, end, true));
        }
        if (missing.isMissing(saleId)) {
            return Optional.empty();
        }
        Optional<SaleRecord> record = sales.find(saleId);
        if (record.isEmpty()) {
            missing.markMissing(saleId);
            return Optional.empty();
        }
        SaleRecord r = record.get();
        long remaining = Math.max(0, r.sale().stock() - r.sold());
        return Optional.of(new SaleStatus(saleId, SalePhase.of(r.sale().startsAt(), r.sale().endsAt(), remaining, now),
                r.sale().stock(), remaining, r.sale().startsAt(), r.sale().endsAt(), false));
    }
}

package dev.flashsale.query;

import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.BucketCounts;
import dev.flashsale.redis.BucketStock;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.SalePhase;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sale's public status: from Redis when the sale is loaded (one round trip for the definition, one per stock bucket
 * for its counter),
 * else from the database, with unknown ids remembered for a short time so that they cannot hammer it. When Redis or
 * the database is unavailable, the last figures this execution environment saw for the sale are answered, flagged
 * stale with their age; a sale it never saw gets the 503.
 */
public final class SaleStatusHandler {

    /** Sales whose last figures an environment keeps for degraded answers. */
    static final int MAX_REMEMBERED = 10_000;

    private final RedisConnection redis;
    private final SaleRepository sales;
    private final ExpiringIds missing;
    private final Clock clock;
    private final Map<String, SaleStatus> lastKnown = new ConcurrentHashMap<>();

    public SaleStatusHandler(RedisConnection redis, SaleRepository sales, ExpiringIds missing, Clock clock) {
        this.redis = redis;
        this.sales = sales;
        this.missing = missing;
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant();
    }

    public Optional<SaleStatus> status(String saleId) {
        Optional<SaleStatus> fresh;
        try {
            fresh = read(saleId);
        } catch (DependencyUnavailableException e) {
            SaleStatus known = lastKnown.get(saleId);
            if (known == null) {
                throw e;
            }
            return Optional.of(known.staleAt(clock.instant()));
        }
        fresh.ifPresent(this::remember);
        return fresh;
    }

    private void remember(SaleStatus status) {
        if (lastKnown.size() >= MAX_REMEMBERED && !lastKnown.containsKey(status.saleId())) {
            lastKnown.clear(); // bounded memory; the figures come back with the next successful read
        }
        lastKnown.put(status.saleId(), status);
    }

    private Optional<SaleStatus> read(String saleId) {
        SaleKeys k = new SaleKeys(saleId);
        List<String> meta =
                redis.call(k.meta(), c -> c.hmget(k.meta(), "stock", "start", "end", "admission", "buckets"));
        Instant now = clock.instant();
        if (meta.get(0) != null && meta.get(1) != null && meta.get(2) != null) {
            long stock = Long.parseLong(meta.get(0));
            int buckets = BucketCounts.fromMeta(meta.get(4));
            long remaining = remaining(saleId, buckets);
            Instant start = Instant.ofEpochMilli(Long.parseLong(meta.get(1)));
            Instant end = Instant.ofEpochMilli(Long.parseLong(meta.get(2)));
            // meta written before admission existed has no field: those sales are open
            Admission admission = Admission.ofWire(meta.get(3)).orElse(Admission.OPEN);
            return Optional.of(new SaleStatus(
                    saleId,
                    SalePhase.of(start, end, remaining, now),
                    admission,
                    stock,
                    remaining,
                    start,
                    end,
                    true,
                    now,
                    false));
        }
        if (missing.contains(saleId)) {
            return Optional.empty();
        }
        Optional<SaleRecord> record = sales.find(saleId);
        if (record.isEmpty()) {
            missing.add(saleId);
            return Optional.empty();
        }
        SaleRecord r = record.get();
        long remaining = Math.max(0, r.sale().stock() - r.sold());
        return Optional.of(new SaleStatus(
                saleId,
                SalePhase.of(r.sale().startsAt(), r.sale().endsAt(), remaining, now),
                r.sale().admission(),
                r.sale().stock(),
                remaining,
                r.sale().startsAt(),
                r.sale().endsAt(),
                false,
                now,
                false));
    }

    /**
     * Units available over the sale's buckets, each counter floored at zero: a bucket below zero (paying back a deficit)
     * offers none, and must not cancel out the units of another in the sum: the sale is sold out only when every
     * bucket is empty.
     */
    private long remaining(String saleId, int buckets) {
        return new BucketStock(redis).total(saleId, buckets);
    }
}

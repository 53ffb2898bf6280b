package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per execution environment memory of sales seen sold out, so that the crowd arriving after the last unit is answered
 * without a Redis call. Entries live for a short TTL only: stock released later (expired or cancelled holds) becomes
 * reservable again within that TTL.
 */
public final class SoldOutCache {

    /** Bounds memory if an environment sees many sales; expired entries are dropped first. */
    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Instant> soldOutUntil = new ConcurrentHashMap<>();

    /** @param ttl how long a sold-out observation is trusted; {@link Duration#ZERO} disables the cache */
    public SoldOutCache(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    public boolean isSoldOut(String saleId) {
        if (ttl.isZero()) {
            return false;
        }
        Instant until = soldOutUntil.get(saleId);
        if (until == null) {
            return false;
        }
        if (clock.instant().isBefore(until)) {
            return true;
        }
        soldOutUntil.remove(saleId, until);
        return false;
    }

    public void markSoldOut(String saleId) {
        if (ttl.isZero()) {
            return;
        }
        if (soldOutUntil.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            soldOutUntil.values().removeIf(until -> !now.isBefore(until));
            if (soldOutUntil.size() >= MAX_ENTRIES) {
                soldOutUntil.clear();
            }
        }
        soldOutUntil.put(saleId, clock.instant().plus(ttl));
    }
}

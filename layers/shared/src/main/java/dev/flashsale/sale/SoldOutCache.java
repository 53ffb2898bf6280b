package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;

/**
 * Per execution environment memory of sales seen sold out, so that the crowd arriving after the last unit is answered
 * without a Redis call. Entries live for a short TTL only: stock released later (expired or cancelled holds) becomes
 * reservable again within that TTL.
 */
public final class SoldOutCache {

    /** Bounds memory if an environment sees many sales; expired entries are dropped first. */
    static final int MAX_ENTRIES = ExpiringIds.MAX_ENTRIES;

    private final ExpiringIds soldOut;

    /** @param ttl how long a sold-out observation is trusted; {@link Duration#ZERO} disables the cache */
    public SoldOutCache(Clock clock, Duration ttl) {
        this.soldOut = new ExpiringIds(clock, ttl);
    }

    public boolean isSoldOut(String saleId) {
        return soldOut.contains(saleId);
    }

    public void markSoldOut(String saleId) {
        soldOut.add(saleId);
    }
}

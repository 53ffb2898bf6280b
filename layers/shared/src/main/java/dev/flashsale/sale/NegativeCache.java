package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;

/**
 * Per execution environment memory of sale ids the database does not know, so that requests for bogus ids cannot
 * hammer it: each id is looked up at most once per TTL per environment.
 */
public final class NegativeCache {

    private final ExpiringIds missing;

    public NegativeCache(Clock clock, Duration ttl) {
        this.missing = new ExpiringIds(clock, ttl);
    }

    public boolean isMissing(String saleId) {
        return missing.contains(saleId);
    }

    public void markMissing(String saleId) {
        missing.add(saleId);
    }
}

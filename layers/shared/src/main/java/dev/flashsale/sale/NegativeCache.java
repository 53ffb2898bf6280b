package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per execution environment memory of sale ids the database does not know, so that requests for bogus ids cannot
 * hammer it: each id is looked up at most once per TTL per environment.
 */
public final class NegativeCache {

    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Instant> missingUntil = new ConcurrentHashMap<>();

    public NegativeCache(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    public boolean isMissing(String saleId) {
        Instant until = missingUntil.get(saleId);
        if (until == null) {
            return false;
        }
        if (clock.instant().isBefore(until)) {
            return true;
        }
        missingUntil.remove(saleId, until);
        return false;
    }

    public void markMissing(String saleId) {
        if (ttl.isZero()) {
            return;
        }
        if (missingUntil.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            missingUntil.values().removeIf(until -> !now.isBefore(until));
            if (missingUntil.size() >= MAX_ENTRIES) {
                missingUntil.clear();
            }
        }
        missingUntil.put(saleId, clock.instant().plus(ttl));
    }
}

package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ids remembered for a TTL each, per execution environment: what {@link SoldOutCache} and {@link NegativeCache} keep.
 * A zero TTL remembers nothing. Memory is bounded: when full, expired ids are dropped first, then all.
 */
final class ExpiringIds {

    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Instant> until = new ConcurrentHashMap<>();

    ExpiringIds(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Whether {@code id} was added less than a TTL ago. */
    boolean contains(String id) {
        Instant expires = until.get(id);
        if (expires == null) {
            return false;
        }
        if (clock.instant().isBefore(expires)) {
            return true;
        }
        until.remove(id, expires);
        return false;
    }

    /** Remembers {@code id} for a TTL from now. */
    void add(String id) {
        if (ttl.isZero()) {
            return;
        }
        if (until.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            until.values().removeIf(expires -> !now.isBefore(expires));
            if (until.size() >= MAX_ENTRIES) {
                until.clear();
            }
        }
        until.put(id, clock.instant().plus(ttl));
    }
}

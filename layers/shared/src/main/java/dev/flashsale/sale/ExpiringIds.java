package dev.flashsale.sale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ids remembered for a TTL each, per execution environment: the sales seen sold out (so the crowd after the last unit is
 * answered without a Redis call, and units released later are reservable again within the TTL) and the sale ids the
 * database does not know (so requests for bogus ids cannot hammer it). A zero TTL remembers nothing. Memory is bounded:
 * when full, expired ids are dropped first, then all.
 */
public final class ExpiringIds {

    /** Bounds memory if an environment sees many sales; expired entries are dropped first. */
    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Instant> until = new ConcurrentHashMap<>();

    /** @param ttl how long an id is remembered; {@link Duration#ZERO} remembers nothing */
    public ExpiringIds(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Whether {@code id} was added less than a TTL ago. */
    public boolean contains(String id) {
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
    public void add(String id) {
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

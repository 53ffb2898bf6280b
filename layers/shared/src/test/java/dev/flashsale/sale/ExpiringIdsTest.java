package dev.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The per-environment memory of sold-out and unknown sale ids: TTL, a zero TTL, bounded memory. */
class ExpiringIdsTest {

    private static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void markedSale_isSoldOutUntilTheTtlPasses() {
        StepClock clock = new StepClock();
        ExpiringIds cache = new ExpiringIds(clock, Duration.ofSeconds(2));

        // Step 1: unknown sales are not sold out
        assertThat(cache.contains("s1")).isFalse();
        // Step 2: marked, trusted within the TTL, for that sale only
        cache.add("s1");
        clock.now = clock.now.plusMillis(1999);
        assertThat(cache.contains("s1")).isTrue();
        assertThat(cache.contains("s2")).isFalse();
        // Step 3: at the TTL the observation is no longer trusted
        clock.now = clock.now.plusMillis(1);
        assertThat(cache.contains("s1")).isFalse();
    }

    @Test
    void zeroTtl_disablesTheCache() {
        ExpiringIds cache = new ExpiringIds(new StepClock(), Duration.ZERO);
        cache.add("s1");
        assertThat(cache.contains("s1")).isFalse();
    }

    @Test
    void manySales_keepMemoryBounded() {
        StepClock clock = new StepClock();
        ExpiringIds cache = new ExpiringIds(clock, Duration.ofSeconds(1));
        for (int i = 0; i < ExpiringIds.MAX_ENTRIES; i++) {
            cache.add("old-" + i);
        }
        clock.now = clock.now.plusSeconds(2);
        cache.add("new");
        assertThat(cache.contains("new")).isTrue();
        assertThat(cache.contains("old-1")).isFalse();
    }
}

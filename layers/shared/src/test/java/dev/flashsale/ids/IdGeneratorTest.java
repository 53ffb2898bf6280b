package dev.flashsale.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdGeneratorTest {

    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123Z");

    private static Clock fixed(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    /** Decodes the first 10 characters (50 bits: two zero bits then the 48-bit millisecond timestamp). */
    private static long timestampOf(String id) {
        long t = 0;
        for (int i = 0; i < 10; i++) {
            t = (t << 5) | CROCKFORD.indexOf(id.charAt(i));
        }
        return t;
    }

    @Test
    void next_is26CrockfordBase32Characters() {
        IdGenerator ids = IdGenerator.create();
        for (int i = 0; i < 1_000; i++) {
            String id = ids.next();
            assertThat(id).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
            // 128 bits in 130: the leading character carries only 3 bits
            assertThat(id.charAt(0)).isBetween('0', '7');
        }
    }

    @Test
    void timestamp_decodesBackFromTheFirstTenCharacters() {
        for (long millis : new long[] {0L, 1L, T0.toEpochMilli(), (1L << 48) - 1}) {
            String id = new IdGenerator(fixed(millis)).next();
            assertThat(timestampOf(id)).as("millis %d -> %s", millis, id).isEqualTo(millis);
        }
        assertThat(new IdGenerator(fixed(0)).next()).startsWith("0000000000");
        assertThat(new IdGenerator(fixed((1L << 48) - 1)).next()).startsWith("7ZZZZZZZZZ");
    }

    @Test
    void ids_sortLexicographicallyByTime() {
        // Given ids made at increasing milliseconds, each at a different random suffix
        List<String> made = new ArrayList<>();
        long start = T0.toEpochMilli();
        for (long step : new long[] {0, 1, 2, 31, 32, 1_000, 60_000, 86_400_000, 365L * 86_400_000}) {
            made.add(new IdGenerator(fixed(start + step)).next());
        }
        // Then the string order is the time order
        assertThat(made).isSorted();
        assertThat(new HashSet<>(made)).hasSameSizeAs(made);
    }

    @Test
    void ids_sortByTimeEvenWhenTheRandomPartWouldSortTheOtherWay() {
        // 1000 pairs, one millisecond apart: whatever the random bits, the later id sorts after
        IdGenerator early = new IdGenerator(fixed(T0.toEpochMilli()));
        IdGenerator late = new IdGenerator(fixed(T0.toEpochMilli() + 1));
        for (int i = 0; i < 1_000; i++) {
            assertThat(early.next()).isLessThan(late.next());
        }
    }

    @Test
    void next_makes100kUniqueIdsInTheSameMillisecond() {
        IdGenerator ids = new IdGenerator(fixed(T0.toEpochMilli()));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(ids.next())).isTrue();
        }
        assertThat(seen)
                .hasSize(100_000)
                .allSatisfy(id -> assertThat(timestampOf(id)).isEqualTo(T0.toEpochMilli()));
    }

    @Test
    void twoGeneratorsWithTheSameFixedClock_makeDifferentIds() {
        Clock clock = fixed(T0.toEpochMilli());
        IdGenerator a = new IdGenerator(clock);
        IdGenerator b = new IdGenerator(clock);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seen.add(a.next());
            seen.add(b.next());
        }
        assertThat(seen).hasSize(20_000);
    }

    @Test
    void reseed_keepsIdsUnique() {
        IdGenerator ids = new IdGenerator(fixed(T0.toEpochMilli()));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            seen.add(ids.next());
        }
        ids.reseed();
        for (int i = 0; i < 5_000; i++) {
            seen.add(ids.next());
        }
        ids.afterRestore(null);
        for (int i = 0; i < 5_000; i++) {
            seen.add(ids.next());
        }
        assertThat(seen).hasSize(15_000);
    }
}

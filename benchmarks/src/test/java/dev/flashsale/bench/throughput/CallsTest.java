package dev.flashsale.bench.throughput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Redis-time arithmetic of the throughput benchmark, on commandstats figures written by hand. */
class CallsTest {

    private static CommandStats stats(Map<String, Long> calls, Map<String, Long> usec) {
        return new CommandStats(calls, usec);
    }

    @Test
    void aScriptsInnerCommandsAreNotCountedTwice() {
        // 100 evalsha of ours, each running GET, DECRBY, HSET: Redis 7 lists those too, and evalsha's time includes
        // them
        CommandStats delta = stats(
                Map.of("evalsha", 100L, "get", 100L, "decrby", 100L, "hset", 100L),
                Map.of("evalsha", 400L, "get", 100L, "decrby", 50L, "hset", 150L));
        Map<String, Long> ours = Map.of("evalsha", 100L);

        assertThat(Calls.usec(ours, delta)).isCloseTo(400.0, within(1e-9));
        assertThat(Calls.foreignShare(ours, delta)).isZero();
    }

    @Test
    void otherClientsCallsMoveOnlyTheMean_andAreReportedAsAShare() {
        // 90 of the 100 decrby calls in the window were ours; the server's mean is 0.5 µs per call
        CommandStats delta = stats(Map.of("decrby", 100L, "hset", 90L), Map.of("decrby", 50L, "hset", 180L));
        Map<String, Long> ours = Map.of("decrby", 90L, "hset", 90L);

        assertThat(Calls.usec(ours, delta)).isCloseTo(90 * 0.5 + 90 * 2.0, within(1e-9));
        assertThat(Calls.foreignShare(ours, delta)).isCloseTo(10.0 / 190, within(1e-9));
    }

    @Test
    void deltasBetweenSnapshots() {
        CommandStats before = stats(Map.of("evalsha", 10L), Map.of("evalsha", 100L));
        CommandStats after = stats(Map.of("evalsha", 30L, "get", 5L), Map.of("evalsha", 500L, "get", 10L));

        CommandStats delta = after.minus(before);

        assertThat(delta.calls("evalsha")).isEqualTo(20);
        assertThat(delta.usecPerCall("evalsha")).isCloseTo(20.0, within(1e-9));
        assertThat(delta.calls("get")).isEqualTo(5);
        assertThat(Calls.minus(Map.of("set", 7L, "get", 3L), Map.of("set", 2L)))
                .containsEntry("set", 5L)
                .containsEntry("get", 3L);
    }
}

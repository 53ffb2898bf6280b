package dev.flashsale.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many slot breakers a connection keeps: bounded, and an open one is never dropped (pure logic, no Redis). */
class SlotBreakersLimitTest {

    private final CircuitBreaker base = Breakers.redis(BreakerSettings.ofDefaults(Duration.ofMillis(200)));
    private final List<CircuitBreaker> watched = new ArrayList<>();
    private final SlotBreakers breakers = new SlotBreakers(base, true, watched::add);

    @Test
    void beyondTheLimit_closedBreakersAreDropped_andOpenOnesKept() {
        CircuitBreaker open = breakers.forKey("fs:{sale-0}:meta");
        open.transitionToOpenState();
        for (int i = 1; i <= SlotBreakers.MAX_SLOTS + 100; i++) {
            breakers.forKey("fs:{sale-" + i + "}:meta");
        }

        assertThat(breakers.slotsTracked()).isLessThanOrEqualTo(SlotBreakers.MAX_SLOTS);
        assertThat(breakers.forKey("fs:{sale-0}:stock")).isSameAs(open);
        assertThat(open.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        // every breaker made was handed to the watcher (its transitions are counted), each with the base's name
        assertThat(watched)
                .hasSizeGreaterThan(SlotBreakers.MAX_SLOTS)
                .allSatisfy(b -> assertThat(b.getName()).isEqualTo(base.getName()));
    }

    @Test
    void onOneNode_noBreakerIsMade() {
        SlotBreakers single = new SlotBreakers(base, false, watched::add);
        assertThat(single.forKey("fs:{a}:meta")).isSameAs(base);
        assertThat(single.slotsTracked()).isZero();
        assertThat(watched).isEmpty();
    }
}

package dev.flashsale.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The release job's budget is shared fairly: ids that need nothing and one sale's backlog never starve real holds. */
class ReleaseFairnessTest {

    @AutoClose
    private static final TestStack STACK = TestStack.shortLived();

    private static ReservationStatus status(Sale sale, Reservation r) {
        return STACK.store.find(new SaleKeys(sale.id()), r.id()).orElseThrow().status();
    }

    @Test
    void strayIds_areDroppedOnce_andNeitherThemNorAnotherSalesBacklogStarveARealHold() throws Exception {
        // Regression (issue 12, item 7): 300 ids without a reservation came first in every run, forever
        Sale crowded = STACK.newSale(10, 5, 5);
        Sale quiet = STACK.newSale(10, 5, 5);
        Map<String, Double> strays = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            strays.put("stray-" + i, (double) (1_000 + i)); // long-past deadlines: listed before any real hold
        }
        STACK.redis.call(c -> c.zadd(new SaleKeys(crowded.id()).holds(), strays));
        Reservation crowdedHold = STACK.hold(crowded.id(), "b1", 2);
        Reservation quietHold = STACK.hold(quiet.id(), "b2", 3);
        Thread.sleep(1_100);
        ReleaseHandler job = ReleaseFixture.handler(STACK, ReleaseFixture.settings(100));

        // Run 1: a budget of 100 is shared: the quiet sale's hold is released although the crowded sale has 301 due
        ReleaseSummary first =
                job.run(List.of(crowded.id(), quiet.id()), Instant.now().plusSeconds(30));
        assertThat(first.sales()).isEqualTo(2);
        assertThat(status(quiet, quietHold)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(first.exhausted()).isTrue();

        // Later runs: each stray is looked at once and dropped, then the crowded sale's real hold is released
        int runs = 1;
        while (status(crowded, crowdedHold) == ReservationStatus.HELD && runs < 6) {
            job.run(List.of(crowded.id(), quiet.id()), Instant.now().plusSeconds(30));
            runs++;
        }
        assertThat(status(crowded, crowdedHold)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(runs).isLessThanOrEqualTo(4);
        long listed = STACK.redis.call(c -> c.zcard(new SaleKeys(crowded.id()).holds()));
        assertThat(listed).isZero();
        assertThat(STACK.available(crowded.id())).isEqualTo(10);
        new InvariantChecker(STACK.redis, STACK.db).requireOk(crowded.id(), true);
        new InvariantChecker(STACK.redis, STACK.db).requireOk(quiet.id(), true);
    }

    @Test
    void aSaleSplitIntoBuckets_getsOneSalesShareOfTheBudget_notOnePerBucket() throws Exception {
        Sale split = STACK.newSplitSale(400, 5, 5, 4);
        Sale whole = STACK.newSale(400, 5, 5);
        List<Reservation> splitHolds = new java.util.ArrayList<>();
        List<Reservation> wholeHolds = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            splitHolds.add(STACK.hold(split.id(), "s" + i, 1));
            wholeHolds.add(STACK.hold(whole.id(), "w" + i, 1));
        }
        Thread.sleep(1_100);

        ReleaseSummary run = ReleaseFixture.handler(STACK, ReleaseFixture.settings(40))
                .run(List.of(split.id(), whole.id()), Instant.now().plusSeconds(30));

        long splitReleased = expired(splitHolds);
        long wholeReleased = expired(wholeHolds);
        assertThat(run.exhausted()).isTrue();
        assertThat(splitReleased + wholeReleased).isEqualTo(40);
        // one share per bucket would give the split sale four fifths (32 of 40) and the other 8
        assertThat(wholeReleased).isGreaterThanOrEqualTo(14);
        assertThat(splitReleased).isLessThanOrEqualTo(26);
    }

    private static long expired(List<Reservation> holds) {
        return holds.stream()
                .filter(r -> STACK.store
                                .find(STACK.store.buckets().home(r.saleId(), r.buyerId()), r.id())
                                .orElseThrow()
                                .status()
                        == ReservationStatus.EXPIRED)
                .count();
    }
}

package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.RedisRollback;
import dev.flashsale.testing.TestStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Redis loses recent writes (a failover to a lagging replica, played by rolling the sale's keys back) after the
 * database decided: the per-buyer limit and the stock still hold, the release job follows the database instead of
 * returning sold units, and reconciliation ends exact.
 */
class LostWritesLimitTest {

    /** Holds expire after a second, so the release job can run within the test. */
    @AutoClose
    private static final TestStack STACK = TestStack.shortLived();

    private static ReleaseSummary releaseRun(Sale sale) {
        return ReleaseFixture.handler(STACK, ReleaseFixture.settings(1_000))
                .run(List.of(sale.id()), Instant.now().plusSeconds(30));
    }

    private static ReserveOutcome reserve(Sale sale, String buyer, int quantity) {
        return STACK.store.reserve(new ReserveRequest(sale.id(), buyer, "k-" + STACK.ids.next(), quantity));
    }

    @Test
    void aReplicaThatMissedClaimAndSettle_doesNotLetTheBuyerPastTheLimit() throws Exception {
        // Regression (issue 12, item 3): limit 2; b1 ends with orders for 4 units
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation first = STACK.hold(sale.id(), "b1", 2);
        RedisRollback replica = RedisRollback.capture(STACK.redis, sale.id());

        // Step 1: b1's hold is claimed, ordered and settled on the primary
        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(ConfirmationMessage.of(first)))
                .isEqualTo(ConfirmOutcome.CONFIRMED);

        // Step 2: failover to a replica that missed the claim and the settle: the reservation is HELD again
        replica.restore();
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), first.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.HELD);

        // Step 3: the hold expires and the release job runs: the database has the order, so Redis follows it
        Thread.sleep(1_100);
        ReleaseSummary run = releaseRun(sale);
        assertThat(run.holdsReleased()).isZero();
        assertThat(run.holdsConfirmed()).isEqualTo(1);
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), first.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(STACK.available(sale.id())).isEqualTo(8);

        // Step 4: b1 tries to buy two more: refused at the limit
        ReserveOutcome more = reserve(sale, "b1", 2);
        assertThat(more)
                .isInstanceOfSatisfying(
                        ReserveOutcome.Refused.class,
                        r -> assertThat(r.refusal()).isInstanceOf(Refusal.LimitExceeded.class));

        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
        assertThat(report.violations()).as(report.toString()).isEmpty();
        assertThat(report.sold()).isEqualTo(2);
    }

    @Test
    void theDatabaseRefusesAnOrderOverTheBuyersLimit_evenWhenRedisForgotTheFirstOrder() {
        Sale sale = STACK.newSale(10, 2, 2);
        RedisRollback beforeAnything = RedisRollback.capture(STACK.redis, sale.id());
        Reservation first = STACK.hold(sale.id(), "b1", 2);
        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(ConfirmationMessage.of(first)))
                .isEqualTo(ConfirmOutcome.CONFIRMED);

        // Redis forgets the whole first reservation: b1 counts 0 units there, and the stock counter is 10 again
        beforeAnything.restore();
        Reservation second = STACK.hold(sale.id(), "b1", 2);

        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(ConfirmationMessage.of(second)))
                .isEqualTo(ConfirmOutcome.REFUSED_BUYER_LIMIT);
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), second.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.EXPIRED);
        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
        assertThat(report.violations(Scope.DATABASE)).isEmpty();
        assertThat(report.sold()).isEqualTo(2);
        assertThat(report.releases()).isEqualTo(1);
        // the refused units were the lost write's excess: not handed back, so Redis is exact again (10 - 2 sold)
        assertThat(STACK.available(sale.id())).isEqualTo(8);
        // what Redis lost stays visible to the checker, and nothing else is wrong
        assertThat(report.violations())
                .extracting(v -> v.message())
                .containsExactly("order " + first.id() + " has no reservation in Redis");
    }

    @Test
    void partialLossAfterCommit_thenReleaseJobAndReconcile_endExact_overRandomizedRuns() throws Exception {
        Random random = new Random(20261124L);
        for (int run = 0; run < 5; run++) {
            Sale sale = STACK.newSale(20, 2, 2);
            List<Reservation> holds = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                holds.add(STACK.hold(sale.id(), "b" + i, 1 + random.nextInt(2)));
            }
            RedisRollback replica = RedisRollback.capture(STACK.redis, sale.id());
            // some confirmations finish on the primary, some only claim (their confirmer dies after COMMIT)
            for (Reservation r : holds) {
                switch (random.nextInt(3)) {
                    case 0 -> new ConfirmHandler(STACK.claims, STACK.fence).confirm(ConfirmationMessage.of(r));
                    case 1 -> {
                        try {
                            new ConfirmHandler(STACK.claims, STACK.fence, step -> {
                                        if (step == ConfirmHandler.Step.COMMITTED) {
                                            throw new IllegalStateException("confirmer died after COMMIT");
                                        }
                                    })
                                    .confirm(ConfirmationMessage.of(r));
                        } catch (IllegalStateException expected) {
                            // the order is in the database; Redis still says CLAIMED
                        }
                    }
                    default -> {} // never confirmed: its hold expires
                }
            }
            // failover: every claim and settle is lost; reconciliation runs before and after the release job
            replica.restore();
            STACK.saleSync().reconcile(sale.id());
            Thread.sleep(1_100);
            ReleaseSummary summary = releaseRun(sale);
            STACK.saleSync().reconcile(sale.id());

            InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
            assertThat(report.violations())
                    .as("run %d: %s / %s", run, report, summary)
                    .isEmpty();
            assertThat(summary.holdsConfirmed() + summary.holdsReleased()).isEqualTo(holds.size());
            assertThat(report.available() + report.orderedUnits()).isEqualTo(20);
        }
    }
}

package dev.flashsale.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.db.CancelResult;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A cancellation that dies between the database and Redis is finished by reconciliation, and its units come back
 * exactly once, whichever of the retry, the reconciliation and the late Redis step runs first.
 */
class CancellationCrashTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static final class Crash extends RuntimeException {
        Crash(OrderCancellations.Step step) {
            super("crash after " + step);
        }
    }

    private static OrderCancellations crashingAfter(OrderCancellations.Step at) {
        return STACK.cancellations(step -> {
            if (step == at) {
                throw new Crash(step);
            }
        });
    }

    private Reservation order(Sale sale, String buyer, int quantity) {
        Reservation r = STACK.hold(sale.id(), buyer, quantity);
        STACK.confirm(r);
        return r;
    }

    private static ReservationStatus redisStatus(Reservation r) {
        return STACK.store.find(new SaleKeys(r.saleId()), r.id()).orElseThrow().status();
    }

    private static long buyerUnits(Reservation r) {
        String units = STACK.redis.call(c -> c.hget(new SaleKeys(r.saleId()).units(), r.buyerId()));
        return units == null ? 0 : Long.parseLong(units);
    }

    @Test
    void crashAfterTheDatabase_theRetryReturnsNothing_andReconciliationReturnsTheUnitsOnce() {
        Sale sale = STACK.newSale(5, 2, 2, Duration.ofMinutes(10));
        Reservation r = order(sale, "alice", 2);
        assertThat(STACK.available(sale.id())).isEqualTo(3);

        assertThatThrownBy(() ->
                        crashingAfter(OrderCancellations.Step.CANCELLED).cancelByBuyer(sale.id(), r.id(), "alice"))
                .isInstanceOf(Crash.class);
        // the database decided; Redis still counts the units as sold
        assertThat(STACK.payments
                        .state(sale.id(), r.id(), "alice")
                        .orElseThrow()
                        .status())
                .isEqualTo(OrderStatus.CANCELLED);
        assertThat(redisStatus(r)).isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(STACK.available(sale.id())).isEqualTo(3);
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), false);

        // the buyer retries: the order is cancelled already, nothing is returned a second time
        CancelResult retry = STACK.cancellations(step -> {}).cancelByBuyer(sale.id(), r.id(), "alice");
        assertThat(retry).isInstanceOf(CancelResult.NotCancellable.class);
        assertThat(STACK.available(sale.id())).isEqualTo(3);

        // reconciliation finishes it, and does not take it for lost writes
        dev.flashsale.sale.SyncResult finished =
                STACK.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(finished.returnsFinished()).isEqualTo(2);
        assertThat(finished.lostWrites()).as("%s", finished).isFalse();
        assertThat(STACK.available(sale.id())).isEqualTo(5);
        assertThat(redisStatus(r)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(buyerUnits(r)).isZero();
        assertThat(PaymentRaceTest.unreturned(STACK.db, sale.id())).isZero();
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);

        // Redis' own step, late (a retried request, an overlapping job), finds it done
        UnitsReturn.Returned late = new UnitsReturn(STACK.redis, STACK.store.buckets())
                .follow(
                        sale.id(),
                        List.of(new dev.flashsale.db.CancelledOrder(
                                r.id(), sale.id(), "alice", 2, dev.flashsale.db.CancelReason.BUYER_CANCELLED)));
        assertThat(late.units()).isZero();
        assertThat(late.answers()).containsEntry(r.id(), "DONE");
        STACK.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(STACK.available(sale.id())).isEqualTo(5);
    }

    @Test
    void aFailoverThatUndidARecordedReturn_isFoundByReconciliation_andTheRecordsComeBackCancelled() {
        Sale sale = STACK.newSale(6, 2, 2, Duration.ofMinutes(10));
        Reservation kept = order(sale, "erin", 1);
        Reservation undone = order(sale, "dave", 2);
        Reservation lost = order(sale, "frank", 1);
        dev.flashsale.testing.RedisRollback beforeTheCancellations =
                dev.flashsale.testing.RedisRollback.capture(STACK.redis, sale.id());
        OrderCancellations cancellations = STACK.cancellations(step -> {});
        cancellations.cancelByBuyer(sale.id(), undone.id(), "dave");
        cancellations.cancelByBuyer(sale.id(), lost.id(), "frank");
        assertThat(STACK.available(sale.id())).isEqualTo(5);

        // a promoted replica never had the returns (recorded as done in the database), nor frank's record
        beforeTheCancellations.restore();
        STACK.redis.call(c -> c.hdel(new SaleKeys(sale.id()).reservations(), lost.id()));
        assertThat(STACK.available(sale.id())).isEqualTo(2);
        assertThat(redisStatus(undone)).isEqualTo(ReservationStatus.CONFIRMED);

        dev.flashsale.sale.SaleSync sync = STACK.saleSync();
        dev.flashsale.sale.SyncResult found = sync.reconcile(sale.id()).orElseThrow();
        assertThat(found.lostWrites()).isTrue();
        sync.restoreOrders(found.sale());
        assertThat(STACK.available(sale.id())).isEqualTo(5);
        assertThat(redisStatus(undone)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(redisStatus(lost)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(redisStatus(kept)).isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(buyerUnits(undone)).isZero();
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
        // and the next run finds nothing more: the evidence is gone
        assertThat(sync.reconcile(sale.id()).orElseThrow().lostWrites()).isFalse();
    }

    @Test
    void aRedeliveredConfirmation_ofAnOrderCancelledSince_whoseRecordAFailoverLost_leavesItCancelled() {
        Sale sale = STACK.newSale(3, 1, 1, Duration.ofMinutes(10));
        Reservation r = order(sale, "gina", 1);
        STACK.cancellations(step -> {}).cancelByBuyer(sale.id(), r.id(), "gina");
        assertThat(STACK.available(sale.id())).isEqualTo(3);
        // a promoted replica never had the reservation at all; its confirmation message is delivered again
        SaleKeys k = new SaleKeys(sale.id());
        STACK.redis.call(c -> {
            c.hdel(k.reservations(), r.id());
            c.hdel(k.idempotency(), "gina\n" + r.idempotencyKey());
            return null;
        });

        dev.flashsale.confirm.ConfirmOutcome outcome = new dev.flashsale.confirm.ConfirmHandler(
                        STACK.claims, STACK.fence)
                .confirm(dev.flashsale.queue.ConfirmationMessage.of(r));

        // the message restored the hold (its units taken again) and the fence found the order cancelled: Redis follows
        // with the reservation CANCELLED and the units back, not CONFIRMED with them gone
        assertThat(outcome).isEqualTo(dev.flashsale.confirm.ConfirmOutcome.ORDER_CANCELLED);
        assertThat(redisStatus(r)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(STACK.available(sale.id())).isEqualTo(3);
        assertThat(buyerUnits(r)).isZero();
        STACK.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(STACK.available(sale.id())).isEqualTo(3);
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
    }

    @Test
    void anOrderCancelledBetweenTheConfirmersCommitAndItsSettle_hasItsUnitsBackAtOnce() {
        // Regression (CI's cluster pass, HoldCancelRaceTest seed -8486274901098791347): the record was still CLAIMED
        // when the cancellation's Redis step ran, which then left it, and the confirmer's settle made it CONFIRMED:
        // one unit short until a reconciliation
        Sale sale = STACK.newSale(2, 1, 1, Duration.ofMinutes(10));
        Reservation r = STACK.hold(sale.id(), "hana", 1);
        dev.flashsale.reservation.ClaimOutcome.Claimed claimed =
                (dev.flashsale.reservation.ClaimOutcome.Claimed) STACK.claims.claim(new SaleKeys(sale.id()), r.id());
        dev.flashsale.db.OrderDecision ordered = STACK.fence.confirm(claimed.reservation());

        CancelResult cancelled = STACK.cancellations(step -> {}).cancelByBuyer(sale.id(), r.id(), "hana");
        assertThat(cancelled).isInstanceOf(CancelResult.Cancelled.class);
        assertThat(redisStatus(r)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(STACK.available(sale.id())).isEqualTo(2);
        assertThat(PaymentRaceTest.unreturned(STACK.db, sale.id())).isZero();

        // the confirmer's settle, late: it finds the reservation CANCELLED and leaves it
        STACK.claims.follow(new SaleKeys(sale.id()), r.id(), ordered);
        assertThat(redisStatus(r)).isEqualTo(ReservationStatus.CANCELLED);
        assertThat(STACK.available(sale.id())).isEqualTo(2);
        assertThat(buyerUnits(r)).isZero();
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
    }

    @Test
    void crashAfterRedisFollowed_reconciliationRecordsIt_withoutReturningAgain() {
        Sale sale = STACK.newSale(4, 1, 1, Duration.ofMinutes(10));
        Reservation r = order(sale, "bob", 1);

        assertThatThrownBy(
                        () -> crashingAfter(OrderCancellations.Step.RETURNED).cancelByBuyer(sale.id(), r.id(), "bob"))
                .isInstanceOf(Crash.class);
        assertThat(STACK.available(sale.id())).isEqualTo(4);
        assertThat(PaymentRaceTest.unreturned(STACK.db, sale.id())).isEqualTo(1);

        STACK.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(STACK.available(sale.id())).isEqualTo(4);
        assertThat(PaymentRaceTest.unreturned(STACK.db, sale.id())).isZero();
        new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
    }

    @Test
    void reconciliationBetweenTheDatabaseAndRedis_theLateRedisStepAddsNothing_overRandomizedRuns() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int run = 0; run < 5; run++) {
            int stock = 3 + random.nextInt(6);
            Sale sale = STACK.newSale(stock, 3, 3, Duration.ofMinutes(10));
            int quantity = 1 + random.nextInt(Math.min(3, stock));
            Reservation r = order(sale, "carol", quantity);
            boolean reconcileTwice = random.nextBoolean();
            // reconciliation runs after the database cancelled and before Redis follows
            CancelResult result = STACK.cancellations(step -> {
                        if (step == OrderCancellations.Step.CANCELLED) {
                            STACK.saleSync().reconcile(sale.id()).orElseThrow();
                            if (reconcileTwice) {
                                STACK.saleSync().reconcile(sale.id()).orElseThrow();
                            }
                        }
                    })
                    .cancelByBuyer(sale.id(), r.id(), "carol");
            assertThat(result).as("seed %d", seed).isInstanceOf(CancelResult.Cancelled.class);
            assertThat(STACK.available(sale.id())).as("seed %d", seed).isEqualTo(stock);
            assertThat(buyerUnits(r)).as("seed %d", seed).isZero();
            assertThat(PaymentRaceTest.unreturned(STACK.db, sale.id()))
                    .as("seed %d", seed)
                    .isZero();
            new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
        }
    }
}

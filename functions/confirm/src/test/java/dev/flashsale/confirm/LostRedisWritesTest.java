package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SyncResult;
import dev.flashsale.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Redis failover that loses recent writes: the replica promoted in the primary's place has no reservations and the
 * sale's full stock. Every hold a buyer was answered for still ends in an order or a recorded refusal, the database
 * sells exactly the stock, and reconciliation gives Redis back what it lost.
 */
class LostRedisWritesTest {

    @Test
    void holdsLostInAFailover_areConfirmedFromTheirMessages_andTheDatabaseNeverSellsMoreThanTheStock() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 1, 1);
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);

            // 1. Ten buyers hold all ten units; six orders are confirmed, four messages are still queued.
            List<Reservation> before = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                before.add(stack.hold(sale.id(), "early-" + i, 1));
            }
            for (int i = 0; i < 6; i++) {
                assertThat(confirmer.confirm(ConfirmationMessage.of(before.get(i))))
                        .isEqualTo(ConfirmOutcome.CONFIRMED);
            }

            // 2. Failover to a replica that missed every write since the sale was loaded: no reservations, full stock.
            SaleKeys k = new SaleKeys(sale.id());
            stack.redis.call(c -> c.del(k.reservations(), k.holds(), k.claims(), k.units(), k.idempotency()));
            stack.redis.call(c -> c.set(k.stock(), "10"));

            // 3. Ten new buyers get holds on units that are already sold; every message is delivered twice.
            List<Reservation> after = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                after.add(stack.hold(sale.id(), "late-" + i, 1));
            }
            List<ConfirmOutcome> early = new ArrayList<>();
            List<ConfirmOutcome> late = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Reservation r : before.subList(6, 10)) {
                    early.add(confirmer.confirm(ConfirmationMessage.of(r)));
                }
                for (Reservation r : after) {
                    late.add(confirmer.confirm(ConfirmationMessage.of(r)));
                }
            }

            // 4. The four early holds Redis lost were restored from their messages and ordered: their 201 was a
            // promise.
            //    The database then had no units left: every late hold was refused, and the refusal is recorded.
            assertThat(early.subList(0, 4)).containsOnly(ConfirmOutcome.CONFIRMED);
            assertThat(early.subList(4, 8)).containsOnly(ConfirmOutcome.ALREADY_CONFIRMED);
            assertThat(late.subList(0, 10)).containsOnly(ConfirmOutcome.REFUSED_SOLD_OUT);
            assertThat(late.subList(10, 20)).containsOnly(ConfirmOutcome.NOT_HELD);
            for (Reservation r : after) {
                assertThat(stack.fence.find(r.id()))
                        .contains(new OrderDecision.Released(ReleaseReason.SOLD_OUT, false));
            }
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations(Scope.DATABASE)).isEmpty();
            assertThat(report.sold()).isEqualTo(10);
            assertThat(report.orderedUnits()).isEqualTo(10);
            // what Redis lost is visible to the checker: the six orders confirmed before the failover, and a counter
            // that
            // paid for the restored holds twice (the replica's full stock had already been handed out again)
            assertThat(report.violations(Scope.CROSS))
                    .filteredOn(v -> v.message().contains("has no reservation in Redis"))
                    .hasSize(6);
            assertThat(report.available()).isEqualTo(-4);

            // 5. Reconciliation (prewarm's) gives Redis back the lost orders, their keys and every buyer's count.
            SaleSync sync = stack.saleSync();
            SyncResult synced = sync.reconcile(sale.id()).orElseThrow();
            SaleSync.Restored restored = sync.restoreOrders(synced.sale());
            assertThat(restored.records()).isEqualTo(6);
            assertThat(restored.mappings()).isEqualTo(6);
            assertThat(synced.buyersCorrected()).isEqualTo(6);
            InvariantReport after5 = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(after5.ok()).as(after5.toString()).isTrue();
            assertThat(after5.available()).isZero();
            assertThat(after5.count(ReservationStatus.CONFIRMED)).isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                String buyer = "early-" + i;
                String units = stack.redis.call(c -> c.hget(k.units(), buyer));
                assertThat(units).isEqualTo("1");
            }
            String lateUnits = stack.redis.call(c -> c.hget(k.units(), "late-0"));
            assertThat(lateUnits).isNull();
            // a replay of an early buyer's key answers their order, not a new hold
            Reservation first = before.get(0);
            assertThat(stack.store.reserve(new ReserveRequest(sale.id(), first.buyerId(), first.idempotencyKey(), 1)))
                    .isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
                        assertThat(h.replayed()).isTrue();
                        assertThat(h.reservation().id()).isEqualTo(first.id());
                        assertThat(h.reservation().status()).isEqualTo(ReservationStatus.CONFIRMED);
                    });
        }
    }

    @Test
    void aLostHoldWhoseDeadlinePassed_isReleasedInTheDatabase_andItsOutcomeIsReadable() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 2, 2);
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);
            Reservation hold = stack.hold(sale.id(), "b1", 2);
            stack.loseInFailover(hold);
            Reservation late = hold.withExpiresAt(java.time.Instant.now().minusSeconds(1));

            assertThat(confirmer.confirm(ConfirmationMessage.of(late))).isEqualTo(ConfirmOutcome.HOLD_EXPIRED);
            assertThat(stack.fence.find(hold.id()))
                    .contains(new OrderDecision.Released(ReleaseReason.HOLD_EXPIRED, false));
            assertThat(stack.store
                            .find(new SaleKeys(sale.id()), hold.id())
                            .orElseThrow()
                            .status())
                    .isEqualTo(ReservationStatus.EXPIRED);
            // a redelivery changes nothing
            assertThat(confirmer.confirm(ConfirmationMessage.of(late))).isEqualTo(ConfirmOutcome.NOT_HELD);
            assertThat(stack.available(sale.id())).isEqualTo(10);
        }
    }

    @Test
    void aLostHoldOrderedBeforeTheLoss_staysOneOrder() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 2, 2);
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);
            Reservation hold = stack.hold(sale.id(), "b1", 2);
            assertThat(confirmer.confirm(ConfirmationMessage.of(hold))).isEqualTo(ConfirmOutcome.CONFIRMED);
            stack.loseInFailover(hold);

            // the message is delivered again after the failover: restored, and the database says it is ordered already
            assertThat(confirmer.confirm(ConfirmationMessage.of(hold))).isEqualTo(ConfirmOutcome.ALREADY_CONFIRMED);
            assertThat(stack.store
                            .find(new SaleKeys(sale.id()), hold.id())
                            .orElseThrow()
                            .status())
                    .isEqualTo(ReservationStatus.CONFIRMED);
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.sold()).isEqualTo(2);
            assertThat(report.orderedUnits()).isEqualTo(2);
        }
    }

    @Test
    void aLostHoldOverTheBuyersLimitInTheDatabase_isRefused_andTheRefusalIsRecorded() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 2, 2);
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);
            Reservation first = stack.hold(sale.id(), "b1", 2);
            stack.loseInFailover(first);
            // Redis forgot the buyer's units with the hold: a second key gets two more
            Reservation second = stack.hold(sale.id(), "b1", 2);
            assertThat(confirmer.confirm(ConfirmationMessage.of(second))).isEqualTo(ConfirmOutcome.CONFIRMED);

            assertThat(confirmer.confirm(ConfirmationMessage.of(first))).isEqualTo(ConfirmOutcome.REFUSED_BUYER_LIMIT);
            assertThat(stack.fence.find(first.id()))
                    .contains(new OrderDecision.Released(ReleaseReason.BUYER_LIMIT, false));
            assertThat(stack.store
                            .find(new SaleKeys(sale.id()), first.id())
                            .orElseThrow()
                            .status())
                    .isEqualTo(ReservationStatus.EXPIRED);
        }
    }

    @Test
    void aVersionOneMessage_forALostHold_cannotBeRestored() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 2, 2);
            Reservation hold = stack.hold(sale.id(), "b1", 1);
            stack.loseInFailover(hold);
            ConfirmationMessage v1 =
                    ConfirmationMessage.fromJson("{\"version\":1,\"reservationId\":\"" + hold.id() + "\",\"saleId\":\""
                            + sale.id() + "\",\"buyerId\":\"b1\",\"quantity\":1,\"heldAt\":\"" + hold.createdAt()
                            + "\",\"expiresAt\":\""
                            + hold.expiresAt() + "\"}");

            assertThat(new ConfirmHandler(stack.claims, stack.fence).confirm(v1))
                    .isEqualTo(ConfirmOutcome.UNKNOWN_RESERVATION);
            assertThat(stack.fence.find(hold.id())).isEmpty();
        }
    }
}

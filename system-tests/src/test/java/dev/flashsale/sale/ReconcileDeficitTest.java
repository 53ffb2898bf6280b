package dev.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.confirm.MessageResult;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.testing.RedisRollback;
import dev.flashsale.testing.TestStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * After lost writes Redis has handed out more units than exist; reconciliation keeps that deficit instead of clamping
 * it to zero, and whatever the excess holds become pays it back, so the counter stays exact and never over-credits.
 */
class ReconcileDeficitTest {

    @AutoClose
    private static final TestStack LONG = TestStack.create();

    @AutoClose
    private static final TestStack SHORT = TestStack.shortLived();

    private static void assertExact(String saleId, String when) {
        InvariantReport report = new InvariantChecker(LONG.redis, LONG.db).check(saleId, false);
        assertThat(report.violations()).as("%s: %s", when, report).isEmpty();
    }

    @Test
    void theDeficitIsKept_andPaidBackByExpiredAndRefusedHolds() throws Exception {
        // Regression (issue 12): the deficit was clamped to 0, so holds expiring afterwards over-credited the counter
        Sale sale = LONG.newSale(10, 1, 1);
        RedisRollback beforeTheSale = RedisRollback.capture(LONG.redis, sale.id());
        for (int i = 0; i < 6; i++) {
            new ConfirmHandler(LONG.claims, LONG.fence)
                    .confirm(ConfirmationMessage.of(LONG.hold(sale.id(), "early-" + i, 1)));
        }

        // Step 1: Redis forgets the six orders; ten late buyers hold units the database has only four of
        beforeTheSale.restore();
        List<Reservation> expiring = new ArrayList<>();
        List<Reservation> confirming = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expiring.add(SHORT.hold(sale.id(), "late-short-" + i, 1));
        }
        for (int i = 0; i < 7; i++) {
            confirming.add(LONG.hold(sale.id(), "late-long-" + i, 1));
        }

        // Step 2: reconciliation finds 10 - 6 sold - 10 held = -6 and keeps it
        SaleSync sync = LONG.saleSync();
        SyncResult reconciled = sync.reconcile(sale.id()).orElseThrow();
        assertThat(reconciled.after()).isEqualTo(-6);
        assertThat(reconciled.buyersCorrected()).isEqualTo(6);
        assertThat(sync.restoreOrders(reconciled.sale()).records()).isEqualTo(6);
        assertExact(sale.id(), "after reconciling");

        // Step 3: three holds expire and are released: their units pay the deficit back, none becomes reservable
        Thread.sleep(1_100);
        assertThat(ReleaseFixture.handler(SHORT, ReleaseFixture.settings(100))
                        .run(List.of(sale.id()), Instant.now().plusSeconds(30))
                        .holdsReleased())
                .isEqualTo(3);
        assertThat(LONG.available(sale.id())).isEqualTo(-3);
        assertExact(sale.id(), "after the release job");
        ReserveOutcome tooMany = LONG.store.reserve(new ReserveRequest(sale.id(), "newcomer", "k", 1));
        assertThat(tooMany)
                .isInstanceOfSatisfying(
                        ReserveOutcome.Refused.class,
                        r -> assertThat(r.refusal()).isEqualTo(new Refusal.SoldOut(0, 1)));

        // Step 4: the other seven are confirmed: four orders, three refused; the refused ones pay back the rest
        long refused = 0;
        for (Reservation r : confirming) {
            refused += new ConfirmHandler(LONG.claims, LONG.fence).confirm(ConfirmationMessage.of(r))
                            == ConfirmOutcome.REFUSED_SOLD_OUT
                    ? 1
                    : 0;
        }
        assertThat(refused).isEqualTo(3);
        assertThat(LONG.available(sale.id())).isZero();
        InvariantReport end = new InvariantChecker(LONG.redis, LONG.db).check(sale.id(), false);
        assertThat(end.sold()).isEqualTo(10);
        assertThat(end.violations()).as(end.toString()).isEmpty();
    }

    @Test
    void confirmedOrdersLost_whileTheCounterCameRightAgain_areFoundAndRestored() {
        // Regression (RedisFailoverTest, NO_WAIT_LAGGING, seed 7797493521517848449): the stock counter was the only
        // evidence looked at, and it is right again once the units the promoted node handed out twice were refused
        Sale sale = LONG.newSale(3, 1, 1);
        RedisRollback beforeTheSale = RedisRollback.capture(LONG.redis, sale.id());
        List<Reservation> early = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            early.add(LONG.hold(sale.id(), "early-" + i, 1));
        }
        ConfirmHandler confirmer = new ConfirmHandler(LONG.claims, LONG.fence);
        assertThat(confirmer.confirmAll(
                        early.stream().map(ConfirmationMessage::of).toList()))
                .containsOnly(new MessageResult.Acknowledged(ConfirmOutcome.CONFIRMED));

        beforeTheSale.restore();
        for (int i = 0; i < 3; i++) {
            assertThat(confirmer.confirm(ConfirmationMessage.of(LONG.hold(sale.id(), "late-" + i, 1))))
                    .isEqualTo(ConfirmOutcome.REFUSED_SOLD_OUT);
        }
        assertThat(LONG.available(sale.id())).as("the counter is right again").isZero();

        SaleSync sync = LONG.saleSync();
        SyncResult found = sync.reconcile(sale.id()).orElseThrow();
        assertThat(found.action()).isEqualTo(SyncResult.Action.UNCHANGED);
        assertThat(found.unrecorded()).isEqualTo(3);
        assertThat(found.lostWrites()).isTrue();
        assertThat(found.buyersCorrected()).isEqualTo(3);
        assertThat(sync.restoreOrders(found.sale()).records()).isEqualTo(3);
        assertExact(sale.id(), "after restoring");
        Reservation first = early.get(0);
        assertThat(LONG.store.reserve(new ReserveRequest(sale.id(), first.buyerId(), first.idempotencyKey(), 1)))
                .isInstanceOfSatisfying(
                        ReserveOutcome.Held.class,
                        h -> assertThat(h.reservation().status()).isEqualTo(ReservationStatus.CONFIRMED));

        SyncResult again = sync.reconcile(sale.id()).orElseThrow();
        assertThat(again.lostWrites()).as("nothing left to find: %s", again).isFalse();
    }

    @Test
    void theConfirmedUnitsCount_isKeptByEveryPath_andCountedOnceWhereAnEarlierVersionLeftNone() {
        Sale sale = LONG.newSale(10, 2, 2);
        ConfirmHandler confirmer = new ConfirmHandler(LONG.claims, LONG.fence);
        confirmer.confirm(ConfirmationMessage.of(LONG.hold(sale.id(), "one", 2)));
        assertThat(confirmer.confirmAll(List.of(
                        ConfirmationMessage.of(LONG.hold(sale.id(), "two", 1)),
                        ConfirmationMessage.of(LONG.hold(sale.id(), "three", 2)))))
                .containsOnly(new MessageResult.Acknowledged(ConfirmOutcome.CONFIRMED));
        Reservation lost = LONG.hold(sale.id(), "four", 1);
        LONG.loseInFailover(lost);
        assertThat(confirmer.confirm(ConfirmationMessage.of(lost))).isEqualTo(ConfirmOutcome.CONFIRMED);
        SaleKeys k = new SaleKeys(sale.id());
        assertThat(LONG.redis.<String>call(c -> c.hget(k.meta(), "confirmed"))).isEqualTo("6");
        assertExact(sale.id(), "after confirming");

        LONG.redis.call(c -> c.hdel(k.meta(), "confirmed"));
        SyncResult counted = LONG.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(counted.lostWrites()).as("%s", counted).isFalse();
        assertThat(LONG.redis.<String>call(c -> c.hget(k.meta(), "confirmed"))).isEqualTo("6");
    }
}

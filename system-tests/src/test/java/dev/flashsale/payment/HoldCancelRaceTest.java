package dev.flashsale.payment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.orders.PaymentHandler;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The buyer cancels holds whose confirmation is queued while the confirmer confirms them, on two database connections,
 * over randomized runs ({@code -Dholdcancel.runs=N}, default 3; {@code -Dholdcancel.seed=S}): each cancelled
 * reservation ends released ({@code BUYER_CANCELLED}, no order) or, when the confirmer got there first, as a cancelled
 * order, never both and never an order that keeps the units; the units back in Redis are exactly the units cancelled.
 */
class HoldCancelRaceTest {

    private static final int HOLDS = 60;

    @AutoClose
    private static final TestStack CONFIRMER = TestStack.create();

    @AutoClose
    private static final TestStack BUYERS = TestStack.create();

    @Test
    void cancellingHoldsWhileTheyAreConfirmed_decidesEachOnce_andReturnsItsUnitsOnce() throws Exception {
        int runs = Integer.getInteger("holdcancel.runs", 3);
        long first = Long.getLong("holdcancel.seed", new Random().nextLong());
        for (int run = 0; run < runs; run++) {
            oneRun(first + run);
        }
    }

    private static void oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        String why = "seed " + seed + " (-Dholdcancel.seed=" + seed + " -Dholdcancel.runs=1)";
        Sale sale = CONFIRMER.newSale(HOLDS, 1, 1, Duration.ofMinutes(10));
        List<Reservation> holds = new ArrayList<>();
        for (int i = 0; i < HOLDS; i++) {
            holds.add(CONFIRMER.hold(sale.id(), "buyer-" + i, 1));
        }
        List<Reservation> toConfirm = new ArrayList<>(holds);
        Collections.shuffle(toConfirm, random);
        List<Reservation> toCancel = new ArrayList<>(holds.subList(0, HOLDS / 2));
        Collections.shuffle(toCancel, random);
        ConfirmHandler confirmer = new ConfirmHandler(CONFIRMER.claims, CONFIRMER.fence);
        PaymentHandler buyers = new PaymentHandler(
                BUYERS.payments,
                BUYERS.cancellations(step -> {}),
                new HoldCancellations(BUYERS.fence, BUYERS.claims),
                BUYERS.fence,
                new SaleRepository(BUYERS.db),
                BUYERS.store);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> work = new ArrayList<>();
        work.add(pool.submit(() -> {
            start.await();
            for (int from = 0; from < toConfirm.size(); ) {
                int to = Math.min(toConfirm.size(), from + 1 + random.nextInt(8));
                confirmer.confirmAll(toConfirm.subList(from, to).stream()
                        .map(ConfirmationMessage::of)
                        .toList());
                from = to;
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            start.await();
            for (Reservation r : toCancel) {
                buyers.cancel(r.saleId(), r.id(), r.buyerId());
            }
            return null;
        }));
        start.countDown();
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        Map<String, OrderStatus> orders = PaymentRaceTest.statuses(CONFIRMER.db, sale.id());
        int releasedHolds = 0;
        int cancelledOrders = 0;
        for (Reservation r : toCancel) {
            OrderDecision decision = CONFIRMER.fence.find(r.id()).orElseThrow();
            if (decision instanceof OrderDecision.Released released) {
                assertThat(released.reason()).as(why).isEqualTo(ReleaseReason.BUYER_CANCELLED);
                assertThat(orders).as(why).doesNotContainKey(r.id());
                releasedHolds++;
            } else {
                assertThat(orders.get(r.id())).as("%s: %s", why, r.id()).isEqualTo(OrderStatus.CANCELLED);
                cancelledOrders++;
            }
        }
        for (Reservation r : holds.subList(HOLDS / 2, HOLDS)) {
            assertThat(orders.get(r.id())).as(why).isEqualTo(OrderStatus.PENDING_PAYMENT);
        }
        System.out.printf(
                "[hold-cancel] %s: %d holds released before their order, %d orders cancelled after%n",
                why, releasedHolds, cancelledOrders);
        assertThat(CONFIRMER.available(sale.id()))
                .as("%s: the units back are the units cancelled", why)
                .isEqualTo(toCancel.size());
        assertThat(PaymentRaceTest.unreturned(CONFIRMER.db, sale.id())).as(why).isZero();
        new InvariantChecker(CONFIRMER.redis, CONFIRMER.db).requireOk(sale.id(), true);
    }
}

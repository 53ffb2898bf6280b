package dev.flashsale.payment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.db.CancelResult;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.PaymentEvent;
import dev.flashsale.db.PaymentOutcome;
import dev.flashsale.db.PaymentResult;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.release.PaymentDeadlines;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Pay, the buyer's cancel, the deadline job and reconciliation race on the same orders, each on its own database
 * connection, on the real PostgreSQL and Redis, over randomized runs ({@code -Dpayment.runs=N}, default 3;
 * {@code -Dpayment.seed=S} replays one). Afterwards every order is PAID, CANCELLED or PAID_AFTER_CANCEL, exactly one
 * transition left PENDING_PAYMENT, the units returned to Redis are exactly the units cancelled, and the returned units
 * can be sold again without overselling.
 */
class PaymentRaceTest {

    private static final int ORDERS = 60;

    @AutoClose
    private static final TestStack SELLER = TestStack.create();

    @AutoClose
    private static final TestStack PAYERS = TestStack.create();

    @AutoClose
    private static final TestStack BUYERS = TestStack.create();

    @AutoClose
    private static final TestStack JOB = TestStack.create();

    @AutoClose
    private static final TestStack RECONCILER = TestStack.create();

    @Test
    void payCancelDeadlineAndReconciliation_raceOnTheSameOrders_andEveryOrderEndsOnce() throws Exception {
        int runs = Integer.getInteger("payment.runs", 3);
        long first = Long.getLong("payment.seed", new Random().nextLong());
        for (int run = 0; run < runs; run++) {
            long seed = first + run;
            oneRun(seed);
        }
    }

    private void oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        String why = "seed " + seed + " (-Dpayment.seed=" + seed + " -Dpayment.runs=1)";
        Sale sale = SELLER.newSale(ORDERS, 2, 1, Duration.ofSeconds(1));
        List<Reservation> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            Reservation r = SELLER.hold(sale.id(), "buyer-" + i, 1);
            SELLER.confirm(r);
            orders.add(r);
        }
        assertThat(SELLER.available(sale.id())).as(why).isZero();

        // Who tries what: a payer pays some orders (some twice, with the same or another event), the buyer cancels
        // some,
        // both for a few; the deadline job and reconciliation run throughout, the job cancelling once the second is up.
        List<Reservation> toPay = new ArrayList<>();
        List<Reservation> toCancel = new ArrayList<>();
        for (Reservation r : orders) {
            double p = random.nextDouble();
            if (p < 0.45 || p >= 0.85) {
                toPay.add(r);
            }
            if (p >= 0.35) {
                toCancel.add(r);
            }
        }
        Collections.shuffle(toPay, random);
        Collections.shuffle(toCancel, random);
        ConcurrentLinkedQueue<PaymentResult> payments = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CancelResult> cancels = new ConcurrentLinkedQueue<>();
        OrderCancellations buyerCancels = BUYERS.cancellations(step -> {});
        PaymentDeadlines deadlines = ReleaseFixture.deadlines(JOB, ReleaseFixture.settings(7));
        Instant until = Instant.now().plusMillis(2_500);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        long payDelay = random.nextInt(20);
        work.add(pool.submit(() -> {
            start.await();
            for (Reservation r : toPay) {
                Thread.sleep(payDelay);
                String event = "evt-" + r.id();
                payments.add(PAYERS.payments.pay(new PaymentEvent(event, r.id(), 1999, "USD")));
                if (random.nextInt(4) == 0) {
                    payments.add(PAYERS.payments.pay(new PaymentEvent(event, r.id(), 1999, "USD")));
                }
                if (random.nextInt(8) == 0) {
                    payments.add(PAYERS.payments.pay(new PaymentEvent(event + "-again", r.id(), 1999, "USD")));
                }
            }
            return null;
        }));
        long cancelDelay = random.nextInt(20);
        work.add(pool.submit(() -> {
            start.await();
            for (Reservation r : toCancel) {
                Thread.sleep(cancelDelay);
                cancels.add(buyerCancels.cancelByBuyer(r.saleId(), r.id(), r.buyerId()));
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            start.await();
            while (Instant.now().isBefore(until)) {
                deadlines.run(Instant.now().plusSeconds(30));
                Thread.sleep(random.nextInt(50));
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            start.await();
            while (Instant.now().isBefore(until)) {
                RECONCILER.saleSync().reconcile(sale.id());
                Thread.sleep(random.nextInt(100));
            }
            return null;
        }));
        start.countDown();
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        // settle: everything still unpaid is overdue by now
        while (deadlines.run(Instant.now().plusSeconds(30)).ordersCancelled() > 0) {
            // a page at a time
        }

        Map<String, OrderStatus> statuses = statuses(SELLER.db, sale.id());
        assertThat(statuses).as(why).hasSize(ORDERS);
        assertThat(statuses.values())
                .as(why)
                .allMatch(
                        s -> s == OrderStatus.PAID || s == OrderStatus.CANCELLED || s == OrderStatus.PAID_AFTER_CANCEL);
        // every payment recorded says what became of its order
        Map<String, List<PaymentOutcome>> recorded = recordedPayments(SELLER.db, sale.id());
        for (Reservation r : orders) {
            OrderStatus s = statuses.get(r.id());
            List<PaymentOutcome> outcomes = recorded.getOrDefault(r.id(), List.of());
            List<PaymentOutcome> expected = switch (s) {
                case PAID -> List.of(PaymentOutcome.PAID);
                case PAID_AFTER_CANCEL -> List.of(PaymentOutcome.PAID_AFTER_CANCEL);
                default -> List.of();
            };
            assertThat(outcomes.stream()
                            .filter(o -> o != PaymentOutcome.ALREADY_PAID)
                            .toList())
                    .as("%s: order %s is %s, payments %s", why, r.id(), s, outcomes)
                    .isEqualTo(expected);
        }
        assertThat(payments.stream().filter(p -> !(p instanceof PaymentResult.Recorded)))
                .as(why)
                .isEmpty();
        long paid =
                statuses.values().stream().filter(s -> s == OrderStatus.PAID).count();
        long cancelled = ORDERS - paid;
        assertThat(paid)
                .as("%s: some orders paid, some cancelled: %s", why, statuses.values())
                .isBetween(1L, ORDERS - 1L);
        assertThat(cancels.stream().filter(c -> c instanceof CancelResult.NoOrder))
                .as(why)
                .isEmpty();

        // reconciliation finishes any return Redis had not followed, never adds one twice
        SELLER.saleSync().reconcile(sale.id());
        InvariantReport report = new InvariantChecker(SELLER.redis, SELLER.db).requireOk(sale.id(), true);
        assertThat(report.sold()).as(why).isEqualTo(paid);
        assertThat(SELLER.available(sale.id()))
                .as("%s: the units returned are the units cancelled", why)
                .isEqualTo(cancelled);
        assertThat(unreturned(SELLER.db, sale.id())).as(why).isZero();

        // the returned units sell again, to new buyers and to the buyers who cancelled, and no more
        List<Reservation> resold = new ArrayList<>();
        for (int i = 0; i < cancelled + 5; i++) {
            String buyer = i % 2 == 0 ? "late-" + i : "buyer-" + i;
            try {
                resold.add(SELLER.hold(sale.id(), buyer, 1));
            } catch (AssertionError soldOutOrLimit) {
                // past the returned units (or a paying buyer at their limit)
            }
        }
        for (Reservation r : resold) {
            SELLER.confirm(r);
        }
        InvariantReport after = new InvariantChecker(SELLER.redis, SELLER.db).requireOk(sale.id(), true);
        assertThat(after.sold()).as(why).isLessThanOrEqualTo(ORDERS).isEqualTo(paid + resold.size());
        assertThat(resold.size()).as(why).isEqualTo((int) cancelled);
    }

    static Map<String, OrderStatus> statuses(DbConnection db, String saleId) {
        return db.transaction(c -> {
            Map<String, OrderStatus> out = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT reservation_id, status FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), OrderStatus.valueOf(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    static Map<String, List<PaymentOutcome>> recordedPayments(DbConnection db, String saleId) {
        return db.transaction(c -> {
            Map<String, List<PaymentOutcome>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT p.reservation_id, p.outcome FROM payments p JOIN orders o USING (reservation_id) "
                            + "WHERE o.sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(PaymentOutcome.valueOf(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    static long unreturned(DbConnection db, String saleId) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT count(*) FROM orders WHERE sale_id = ? AND units_returned = false")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}

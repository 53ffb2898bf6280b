package dev.flashsale.payment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.config.Config;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.PaymentEvent;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.release.PaymentDeadlines;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SyncResult;
import dev.flashsale.testing.RedisFailover;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The payment window through a real Redis failover (a primary and a replica, the replication link cut 20-200 ms
 * before the primary is killed with SIGKILL and the replica promoted): payments, buyers' cancellations and the deadline
 * job run on the same orders throughout, retrying what Redis refused as the functions' callers would. Cancellations
 * whose return to Redis the failover lost (or that Redis refused) are finished by reconciliation, and the units come
 * back exactly once. Randomized runs: {@code -Dpaymentfailover.runs=N} (default 2), {@code -Dpaymentfailover.seed=S}.
 */
class PaymentFailoverTest {

    private static final int ORDERS = 40;

    @Test
    void payCancelAndDeadlines_throughAFailoverThatLosesWrites_everyUnitComesBackOnce() throws Exception {
        int runs = Integer.getInteger("paymentfailover.runs", 2);
        long first = Long.getLong("paymentfailover.seed", new Random().nextLong());
        for (int run = 0; run < runs; run++) {
            oneRun(first + run);
        }
    }

    private static void oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        String why = "seed " + seed + " (-Dpaymentfailover.seed=" + seed + " -Dpaymentfailover.runs=1)";
        try (RedisFailover pair = RedisFailover.start();
                TestStack stack = new TestStack(
                        TestRedis.connect(Config.of(Map.of(
                                "REDIS_URL", pair.url(),
                                "REDIS_TIMEOUT", "1s",
                                "REDIS_CONNECT_TIMEOUT", "500ms",
                                "BREAKER_REDIS_OPEN_WAIT", "250ms"))),
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(2))) {
            Sale sale = stack.newSale(ORDERS, 2, 1, Duration.ofSeconds(2));
            List<Reservation> orders = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                Reservation r = stack.hold(sale.id(), "buyer-" + i, 1);
                stack.confirm(r);
                orders.add(r);
            }
            pair.awaitInSync();

            List<Reservation> toPay = new ArrayList<>();
            List<Reservation> toCancel = new ArrayList<>();
            for (Reservation r : orders) {
                int p = random.nextInt(100);
                if (p < 45) {
                    toPay.add(r);
                } else if (p < 75) {
                    toCancel.add(r);
                }
            }
            Collections.shuffle(toCancel, random);
            OrderCancellations cancellations = stack.cancellations(step -> {});
            PaymentDeadlines deadlines = ReleaseFixture.deadlines(stack, ReleaseFixture.settings(5));
            AtomicInteger retried = new AtomicInteger();
            int failoverAtMs = 100 + random.nextInt(1_400);
            int cutBeforeMs = 20 + random.nextInt(181);
            Instant until = Instant.now().plusMillis(3_000);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            work.add(pool.submit(() -> {
                for (Reservation r : toPay) {
                    Thread.sleep(random.nextInt(60));
                    stack.payments.pay(new PaymentEvent("evt-" + r.id(), r.id(), 1999, "USD"));
                }
                return null;
            }));
            work.add(pool.submit(() -> {
                for (Reservation r : toCancel) {
                    Thread.sleep(random.nextInt(60));
                    untilAnswered(retried, () -> cancellations.cancelByBuyer(sale.id(), r.id(), r.buyerId()));
                }
                return null;
            }));
            work.add(pool.submit(() -> {
                while (Instant.now().isBefore(until)) {
                    untilAnswered(retried, () -> deadlines.run(Instant.now().plusSeconds(30)));
                    Thread.sleep(100);
                }
                return null;
            }));
            work.add(pool.submit(() -> {
                Thread.sleep(Math.max(0, failoverAtMs - cutBeforeMs));
                pair.cutReplication();
                Thread.sleep(cutBeforeMs);
                return pair.failover();
            }));
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            RedisFailover.Failover failover =
                    (RedisFailover.Failover) work.get(3).get();
            // what the next runs of the release job and of prewarm do
            while (untilAnswered(retried, () -> deadlines.run(Instant.now().plusSeconds(30)))
                            .ordersCancelled()
                    > 0) {
                // a page at a time
            }
            SaleSync sync = stack.saleSync();
            SyncResult reconciled =
                    untilAnswered(retried, () -> sync.reconcile(sale.id()).orElseThrow());
            untilAnswered(retried, () -> sync.restoreOrders(reconciled.sale()));

            Map<String, OrderStatus> statuses = PaymentRaceTest.statuses(stack.db, sale.id());
            long paid = statuses.values().stream()
                    .filter(s -> s == OrderStatus.PAID)
                    .count();
            long cancelled = statuses.values().stream()
                    .filter(s -> s == OrderStatus.CANCELLED || s == OrderStatus.PAID_AFTER_CANCEL)
                    .count();
            System.out.printf(
                    "[payment-failover] %s: failover at %d ms (link cut %d ms before, %d bytes lost); %d paid, %d"
                            + " cancelled; reconcile %s (returns finished %d); %d calls retried%n",
                    why,
                    failoverAtMs,
                    cutBeforeMs,
                    failover.lostBytes(),
                    paid,
                    cancelled,
                    reconciled.action(),
                    reconciled.returnsFinished(),
                    retried.get());
            assertThat(paid + cancelled).as("%s: %s", why, statuses).isEqualTo(ORDERS);
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations()).as("%s: %s", why, report).isEmpty();
            assertThat(report.sold()).as(why).isEqualTo(paid);
            assertThat(stack.available(sale.id()))
                    .as("%s: the units back in Redis are the units cancelled", why)
                    .isEqualTo(cancelled);
            assertThat(PaymentRaceTest.unreturned(stack.db, sale.id())).as(why).isZero();
            assertThat(untilAnswered(retried, () -> sync.reconcile(sale.id()).orElseThrow())
                            .lostWrites())
                    .as("%s: a second reconciliation finds nothing left", why)
                    .isFalse();
        }
    }

    /** Calls {@code call} until Redis answers it (a 503 is retried by the function's caller), up to 10 s. */
    private static <T> T untilAnswered(AtomicInteger retried, Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return call.get();
            } catch (DependencyUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                retried.incrementAndGet();
                Thread.sleep(50);
            }
        }
    }
}

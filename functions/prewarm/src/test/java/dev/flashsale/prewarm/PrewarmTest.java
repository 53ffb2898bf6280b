package dev.flashsale.prewarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.lease.LeaseLock;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Prewarm against the real Redis and PostgreSQL. Each test restricts its runs to its own sale-id prefix (and so its own
 * lease), because the database holds other tests' sales too.
 */
class PrewarmTest {

    @AutoClose
    private static final TestStack stack = TestStack.create();

    private static String prefix() {
        return "pw" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "-";
    }

    private static Sale sale(String id, Duration startIn, Duration lasts, int stock) {
        Instant start = Instant.now().plus(startIn).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return TestDatabase.create(stack.db, new Sale(id, stock, 5, 5, start, start.plus(lasts)));
    }

    static PrewarmHandler handler(TestStack s, String prefix, Duration leaseTtl, Consumer<String> afterSale) {
        return new PrewarmHandler(
                new SaleRepository(s.db),
                new SaleCache(s.redis, Duration.ofDays(1)),
                s.saleSync(),
                s.redis,
                new LeaseLock(s.redis),
                new PrewarmSettings(Duration.ofHours(2), 500, leaseTtl, Duration.ZERO, prefix),
                Clock.systemUTC(),
                afterSale);
    }

    private static boolean loaded(String saleId) {
        return stack.redis.client().exists(new SaleKeys(saleId).meta());
    }

    private static Instant deadline() {
        return Instant.now().plus(Duration.ofMinutes(1));
    }

    @Test
    void run_loadsExactlyTheLiveSalesAndThoseStartingWithinTheHorizon() {
        String p = prefix();
        Sale ended = sale(p + "ended", Duration.ofHours(-3), Duration.ofHours(2), 10);
        Sale live = sale(p + "live", Duration.ofMinutes(-1), Duration.ofHours(1), 11);
        Sale soon = sale(p + "soon", Duration.ofHours(1), Duration.ofHours(1), 12);
        Sale edge = sale(p + "edge", Duration.ofMinutes(119), Duration.ofHours(1), 13);
        Sale later = sale(p + "later", Duration.ofMinutes(121), Duration.ofHours(1), 14);

        PrewarmReport first =
                handler(stack, p, Duration.ofSeconds(10), id -> {}).run(deadline());

        assertThat(first.didRun()).isTrue();
        assertThat(first.loadedSales()).containsExactlyInAnyOrder(live.id(), soon.id(), edge.id());
        for (Sale s : List.of(live, soon, edge)) {
            assertThat(stack.available(s.id())).as(s.id()).isEqualTo(s.stock());
        }
        assertThat(loaded(ended.id())).isFalse();
        assertThat(loaded(later.id())).isFalse();

        // A second run loads nothing new, keeps the counters, and reports nothing to correct.
        stack.hold(live.id(), "b1", 2);
        PrewarmReport second =
                handler(stack, p, Duration.ofSeconds(10), id -> {}).run(deadline());
        assertThat(second.loadedSales()).isEmpty();
        assertThat(second.refreshedSales()).containsExactlyInAnyOrder(soon.id(), edge.id());
        assertThat(second.corrections()).isEmpty();
        assertThat(stack.available(live.id())).isEqualTo(live.stock() - 2);
        assertThat(second.toMap()).containsEntry("unchanged", 1).containsEntry("errors", 0);
    }

    @Test
    void run_correctsATamperedLiveCounterAndReportsIt() {
        String p = prefix();
        Sale live = sale(p + "live", Duration.ofMinutes(-1), Duration.ofHours(1), 20);
        handler(stack, p, Duration.ofSeconds(10), id -> {}).run(deadline());
        stack.hold(live.id(), "b1", 3);
        stack.redis.call(c -> c.set(new SaleKeys(live.id()).stock(), "40")); // a lost DECRBY, exaggerated

        PrewarmReport report =
                handler(stack, p, Duration.ofSeconds(10), id -> {}).run(deadline());

        assertThat(report.corrections()).containsExactly(new PrewarmReport.Correction(live.id(), 40, 17));
        assertThat(stack.available(live.id())).isEqualTo(17);
        new InvariantChecker(stack.redis, stack.db).requireOk(live.id(), false);
    }

    @Test
    void twoConcurrentRuns_oneDoesTheWork() throws Exception {
        String p = prefix();
        for (int i = 0; i < 5; i++) {
            sale(p + "s" + i, Duration.ofMinutes(30 + i), Duration.ofHours(1), 5);
        }
        try (TestStack other = TestStack.create()) {
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            // Each run is slow (50 ms per sale), so the two overlap whatever the scheduling.
            Future<PrewarmReport> a = pool.submit(() -> {
                go.await();
                return handler(stack, p, Duration.ofSeconds(10), id -> sleep(50))
                        .run(deadline());
            });
            Future<PrewarmReport> b = pool.submit(() -> {
                go.await();
                return handler(other, p, Duration.ofSeconds(10), id -> sleep(50))
                        .run(deadline());
            });
            go.countDown();
            PrewarmReport ra = a.get();
            PrewarmReport rb = b.get();
            pool.shutdown();

            assertThat(List.of(ra.didRun(), rb.didRun())).containsExactlyInAnyOrder(true, false);
            PrewarmReport winner = ra.didRun() ? ra : rb;
            PrewarmReport loser = ra.didRun() ? rb : ra;
            assertThat(winner.loadedSales()).hasSize(5);
            assertThat(loser.loadedSales()).isEmpty();
            assertThat(loser.toMap()).containsEntry("ran", false).containsEntry("sales", 0);
        }
        // The winner released its lease at the end: the next run gets it.
        assertThat(stack.redis.client().exists(LeaseLock.key("prewarm:" + p))).isFalse();
    }

    @Test
    void aLeaseThatExpiresMidRun_isNotReleasedByItsFormerOwner_andTheRunStopsAtTheNextSale() {
        String p = prefix();
        for (int i = 0; i < 4; i++) {
            sale(p + "s" + i, Duration.ofMinutes(10 + i), Duration.ofHours(1), 5);
        }
        String leaseKey = LeaseLock.key("prewarm:" + p);
        LeaseLock lock = new LeaseLock(stack.redis);
        LeaseLock.Lease[] successor = new LeaseLock.Lease[1];
        // After the first sale the run "freezes" past its lease (the key expires) and a second run takes the lease.
        Consumer<String> freeze = id -> {
            if (successor[0] == null) {
                stack.redis.call(c -> c.del(leaseKey));
                successor[0] =
                        lock.tryAcquire("prewarm:" + p, Duration.ofSeconds(30)).orElseThrow();
                sleep(400); // more than a renewal period (ttl / 3): the keeper's renewal finds the lease gone
            }
        };

        PrewarmReport report = handler(stack, p, Duration.ofMillis(600), freeze).run(deadline());

        assertThat(report.didRun()).isTrue();
        assertThat(report.lostLease()).isTrue();
        assertThat(report.loadedSales()).hasSize(1); // stopped at the first safe point after losing the lease
        assertThat(stack.redis.client().get(leaseKey)).isEqualTo(successor[0].token());
        assertThat(lock.release(successor[0])).isTrue();
    }

    @Test
    void theFunction_wiredFromConfig_runsOnTheScheduledSampleEvent() throws Exception {
        String p = prefix();
        Sale soon = sale(p + "soon", Duration.ofMinutes(5), Duration.ofHours(1), 3);
        PrewarmInit init = PrewarmInit.from(
                dev.flashsale.config.Config.of(TestStack.environment(java.util.Map.of("PREWARM_SALE_PREFIX", p))));
        init.prime();
        com.amazonaws.services.lambda.runtime.events.ScheduledEvent event =
                com.amazonaws.services.lambda.runtime.tests.EventLoader.loadScheduledEvent(
                        dev.flashsale.testing.RepoRoot.find()
                                .resolve("events/eventbridge/prewarm-schedule.json")
                                .toString());

        java.util.Map<String, Object> report = init.invoker()
                .handleRequest(
                        event,
                        new dev.flashsale.init.InvocationContext(
                                "prewarm", "us-east-1", java.time.Duration.ofMinutes(1)));

        assertThat(report)
                .containsEntry("ran", true)
                .containsEntry("sales", 1)
                .containsEntry("loaded", List.of(soon.id()));
        assertThat(stack.available(soon.id())).isEqualTo(3);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aConfirmedReservationRedisLost_isRestored_withItsKeyAndTheBuyersCount() {
        String p = prefix();
        Sale live = sale(p + "lost", Duration.ofMinutes(-1), Duration.ofHours(1), 10);
        new SaleCache(stack.redis, Duration.ofDays(1)).load(live);
        dev.flashsale.reservation.Reservation kept = stack.hold(live.id(), "keeps", 1);
        dev.flashsale.reservation.Reservation lost = stack.hold(live.id(), "loses", 2);
        stack.confirm(kept);
        stack.confirm(lost);
        // a failover: the promoted replica never had the second reservation (its record, key and count went together)
        SaleKeys k = new SaleKeys(live.id());
        stack.redis.call(c -> {
            c.hdel(k.reservations(), lost.id());
            c.hdel(k.idempotency(), lost.buyerId() + "\n" + lost.idempotencyKey());
            c.hdel(k.units(), lost.buyerId());
            return c.incrBy(k.stock(), lost.quantity());
        });

        handler(stack, p, Duration.ofSeconds(30), id -> {}).run(deadline());

        assertThat(stack.store.find(new SaleKeys(live.id()), lost.id()))
                .hasValueSatisfying(
                        r -> assertThat(r.status()).isEqualTo(dev.flashsale.reservation.ReservationStatus.CONFIRMED));
        String mapped = stack.redis.call(c -> c.hget(k.idempotency(), lost.buyerId() + "\n" + lost.idempotencyKey()));
        String units = stack.redis.call(c -> c.hget(k.units(), lost.buyerId()));
        assertThat(mapped).isEqualTo(lost.id());
        assertThat(units).isEqualTo("2");
        assertThat(stack.available(live.id())).isEqualTo(7);
        assertThat(new InvariantChecker(stack.redis, stack.db)
                        .check(live.id(), true)
                        .ok())
                .isTrue();
    }
}

package dev.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A live sale's slot moves to another master of a real Redis Cluster while buyers reserve and confirmers confirm, as
 * an operator's resharding moves it ({@code MIGRATE} in batches: meanwhile clients get {@code ASK}, which Jedis follows,
 * and {@code TRYAGAIN}, which the stack retries for 70 ms and then answers 503, for the caller to retry with the same
 * idempotency key). The Redis breaker never opens for it (it did, for every sale, before {@code TRYAGAIN} stopped
 * counting as an outage). Every hold a buyer was
 * answered ends confirmed, nothing is oversold or held twice, and the invariant checker finds Redis and the database in
 * agreement, over randomized runs (when the move starts, how many keys per batch, how long between batches, and a move
 * back). {@code -Dmigration.runs=N}, {@code -Dmigration.seed=S} repeat or replay.
 */
class SlotMigrationTest {

    private static final int STOCK = 300;
    private static final int BUYER_THREADS = 6;
    private static final int BUYERS_PER_THREAD = 70; // 420 buyers for 300 units: the sale sells out
    private static final int CONFIRMERS = 2;

    @Test
    void aSaleWhoseSlotMovesWhileItSells_keepsEveryPromise() throws Exception {
        long seed = Long.getLong("migration.seed", System.nanoTime());
        int runs = Integer.getInteger("migration.runs", 3);
        Random random = new Random(seed);
        try (RedisCluster cluster = RedisCluster.start(3, 0);
                TestStack stack = new TestStack(connect(cluster), Duration.ofMinutes(10), Duration.ofMinutes(2))) {
            for (int run = 0; run < runs; run++) {
                runOnce(cluster, stack, new Random(random.nextLong()), "seed " + seed + ", run " + run);
            }
        }
    }

    private static RedisConnection connect(RedisCluster cluster) {
        RedisSettings settings = RedisSettings.of(cluster.url())
                .withClusterMode(true)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .withPoolSize(32);
        return new RedisConnection(
                settings, Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))), Telemetry.noop());
    }

    private static void runOnce(RedisCluster cluster, TestStack stack, Random random, String label) throws Exception {
        Sale sale = stack.newSale(STOCK, 1, 1);
        int slot = JedisClusterCRC16.getSlot("{" + sale.id() + "}");
        RedisProcess home = cluster.ownerOf(slot);
        RedisProcess away =
                cluster.masters().stream().filter(m -> m != home).toList().get(random.nextInt(2));
        boolean moveBack = random.nextBoolean();
        int batch = 1 + random.nextInt(4);
        Duration pause = Duration.ofMillis(random.nextInt(15));

        ConcurrentLinkedQueue<Reservation> toConfirm = new ConcurrentLinkedQueue<>();
        Map<String, Reservation> held = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        AtomicInteger soldOut = new AtomicInteger();
        AtomicInteger answeredBeforeMove = new AtomicInteger();
        AtomicInteger answeredAfterMove = new AtomicInteger();
        AtomicBoolean moving = new AtomicBoolean();
        AtomicBoolean moved = new AtomicBoolean();
        AtomicBoolean buyersDone = new AtomicBoolean();

        ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);
        ExecutorService pool = Executors.newFixedThreadPool(BUYER_THREADS + CONFIRMERS);
        try {
            List<Future<?>> buyers = new ArrayList<>();
            for (int t = 0; t < BUYER_THREADS; t++) {
                int thread = t;
                buyers.add(pool.submit(() -> {
                    for (int i = 0; i < BUYERS_PER_THREAD; i++) {
                        String buyer = "b-" + thread + "-" + i;
                        ReserveRequest request = new ReserveRequest(sale.id(), buyer, "k-" + buyer, 1);
                        ReserveOutcome outcome = untilAnswered(() -> stack.store.reserve(request), failures);
                        if (!moving.get()) {
                            answeredBeforeMove.incrementAndGet();
                        } else if (moved.get()) {
                            answeredAfterMove.incrementAndGet();
                        }
                        if (outcome instanceof ReserveOutcome.Held h) {
                            assertThat(held.putIfAbsent(h.reservation().id(), h.reservation()))
                                    .as("one hold per buyer")
                                    .isNull();
                            toConfirm.add(h.reservation());
                        } else if (outcome instanceof ReserveOutcome.Refused r
                                && r.refusal() instanceof Refusal.SoldOut) {
                            soldOut.incrementAndGet();
                        } else {
                            throw new AssertionError(label + ": unexpected answer " + outcome);
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> confirmers = new ArrayList<>();
            for (int c = 0; c < CONFIRMERS; c++) {
                confirmers.add(pool.submit(() -> {
                    while (!(buyersDone.get() && toConfirm.isEmpty())) {
                        Reservation r = toConfirm.poll();
                        if (r == null) {
                            Thread.sleep(2);
                            continue;
                        }
                        ConfirmOutcome o = untilAnswered(() -> confirmer.confirm(ConfirmationMessage.of(r)), failures);
                        assertThat(o)
                                .as("%s: %s", label, r.id())
                                .isIn(ConfirmOutcome.CONFIRMED, ConfirmOutcome.ALREADY_CONFIRMED);
                    }
                    return null;
                }));
            }

            Thread.sleep(10 + random.nextInt(60));
            moving.set(true);
            int keys = cluster.migrateSlot(slot, away, batch, pause);
            if (moveBack) {
                keys += cluster.migrateSlot(slot, home, batch, pause);
            }
            moved.set(true);
            for (Future<?> f : buyers) {
                f.get(120, TimeUnit.SECONDS);
            }
            buyersDone.set(true);
            for (Future<?> f : confirmers) {
                f.get(120, TimeUnit.SECONDS);
            }

            RedisProcess owner = moveBack ? home : away;
            System.out.printf(
                    "[slot-migration] %s: slot %d moved %s%s, %d keys in batches of %d, %d ms apart; holds %d, sold out"
                            + " %d; answered before the move %d, after it %d; failed calls retried %s%n",
                    label,
                    slot,
                    home.port() + "->" + away.port(),
                    moveBack ? "->" + home.port() : "",
                    keys,
                    batch,
                    pause.toMillis(),
                    held.size(),
                    soldOut.get(),
                    answeredBeforeMove.get(),
                    answeredAfterMove.get(),
                    failures);
            assertThat(keys).as("the sale's keys moved").isPositive();
            // a slot on the move is one sale's matter for moments (TRYAGAIN is retried, and not counted as an outage):
            // the breaker that guards every sale's reservations never opened
            assertThat(stack.redis.breaker().getMetrics().getNumberOfNotPermittedCalls())
                    .as("%s: calls refused by an open Redis breaker", label)
                    .isZero();
            try (Jedis j = owner.connect()) {
                assertThat(j.clusterCountKeysInSlot(slot))
                        .as("the keys live on the slot's owner")
                        .isPositive();
            }
            assertThat(held).as(label).hasSize(STOCK);
            assertThat(soldOut.get()).isEqualTo(BUYER_THREADS * BUYERS_PER_THREAD - STOCK);
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations()).as("%s: %s", label, report).isEmpty();
            assertThat(report.sold()).isEqualTo(STOCK);
            assertThat(report.orderedUnits()).isEqualTo(STOCK);
            assertThat(report.available()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** The caller's retry: a call Redis could not serve (503: ASK races, TRYAGAIN, an open breaker) is tried again. */
    private static <T> T untilAnswered(java.util.concurrent.Callable<T> call, Map<String, AtomicInteger> failures)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                String kind = cause.getClass().getSimpleName() + " "
                        + String.valueOf(cause.getMessage()).split(" ", 2)[0];
                failures.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                if (attempt == 200) {
                    throw e;
                }
                Thread.sleep(5L * Math.min(attempt, 20));
            }
        }
    }
}

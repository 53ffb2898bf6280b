package dev.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SyncResult;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
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
 * The master that owns a live sale's slot in a real Redis Cluster (3 masters, one replica each) is killed (SIGKILL)
 * while buyers reserve and confirmers confirm; the cluster promotes its replica. Reservations wait for the replica's
 * acknowledgement ({@code REDIS_WAIT_REPLICAS=1}, {@code REDIS_WAIT_ON_TIMEOUT=refuse}: {@code WAIT} through the
 * cluster client to the slot's node), so every {@code 201} was on the replica before it was answered: none is lost.
 * Once the replica took over, a new node replaces the dead one as its replica (as ElastiCache replaces a failed node);
 * until then new holds cannot be acknowledged and are answered 503.
 * Buyers retry a 503 with the same idempotency key. After the failover and prewarm's reconciliation: every 201 is an
 * order, nothing is oversold, and the invariant checker finds Redis and the database in agreement. Randomized over runs
 * (when the kill comes); {@code -Dclusterfailover.runs=N}, {@code -Dclusterfailover.seed=S}.
 */
class ClusterFailoverTest {

    private static final int STOCK = 200;
    private static final int BUYER_THREADS = 6;
    private static final int BUYERS_PER_THREAD = 50; // 300 buyers for 200 units
    private static final int CONFIRMERS = 2;

    @Test
    void theSalesMasterDies_itsReplicaTakesOver_andEvery201IsAnOrder() throws Exception {
        long seed = Long.getLong("clusterfailover.seed", System.nanoTime());
        int runs = Integer.getInteger("clusterfailover.runs", 2);
        Random random = new Random(seed);
        for (int run = 0; run < runs; run++) {
            runOnce(new Random(random.nextLong()), "seed " + seed + ", run " + run);
        }
    }

    private static void runOnce(Random random, String label) throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1);
                TestStack stack = new TestStack(connect(cluster), Duration.ofMinutes(10), Duration.ofMinutes(2))) {
            ReservationStore store = new ReservationStore(
                    stack.redis,
                    new ReservationPolicy(
                            Duration.ofMinutes(10), 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5)),
                    new ReplicaAck(1, Duration.ofMillis(500), ReplicaAck.OnTimeout.REFUSE));
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);
            Sale sale = stack.newSale(STOCK, 1, 1);
            RedisProcess master = cluster.ownerOf(JedisClusterCRC16.getSlot("{" + sale.id() + "}"));

            ConcurrentLinkedQueue<Reservation> toConfirm = new ConcurrentLinkedQueue<>();
            Map<String, Reservation> promised = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
            AtomicInteger soldOut = new AtomicInteger();
            AtomicInteger promisedBeforeKill = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicBoolean buyersDone = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(BUYER_THREADS + CONFIRMERS);
            try {
                List<Future<?>> buyers = new ArrayList<>();
                for (int t = 0; t < BUYER_THREADS; t++) {
                    int thread = t;
                    buyers.add(pool.submit(() -> {
                        for (int i = 0; i < BUYERS_PER_THREAD; i++) {
                            String buyer = "b-" + thread + "-" + i;
                            ReserveRequest request = new ReserveRequest(sale.id(), buyer, "k-" + buyer, 1);
                            ReserveOutcome outcome = untilAnswered(() -> store.reserve(request), failures);
                            if (outcome instanceof ReserveOutcome.Held h) {
                                if (promised.putIfAbsent(h.reservation().id(), h.reservation()) == null) {
                                    toConfirm.add(h.reservation());
                                    if (!killed.get()) {
                                        promisedBeforeKill.incrementAndGet();
                                    }
                                }
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
                            ConfirmOutcome o =
                                    untilAnswered(() -> confirmer.confirm(ConfirmationMessage.of(r)), failures);
                            assertThat(o)
                                    .as("%s: %s", label, r.id())
                                    .isIn(ConfirmOutcome.CONFIRMED, ConfirmOutcome.ALREADY_CONFIRMED);
                        }
                        return null;
                    }));
                }

                int killAfter = 10 + random.nextInt(STOCK / 2);
                while (promised.size() < killAfter) {
                    Thread.sleep(1);
                }
                long killedAt = System.nanoTime();
                killed.set(true);
                master.kill();
                // its replica takes over; then a new node replaces the dead one (as ElastiCache does), so that holds
                // can be acknowledged by a replica again (until then, REFUSE answers them 503 and buyers retry)
                cluster.replaceFailedNodeFor("{" + sale.id() + "}");
                long replacedMs = (System.nanoTime() - killedAt) / 1_000_000;
                for (Future<?> f : buyers) {
                    f.get(120, TimeUnit.SECONDS);
                }
                buyersDone.set(true);
                for (Future<?> f : confirmers) {
                    f.get(120, TimeUnit.SECONDS);
                }
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;

                // what prewarm does on its next run: reconcile the counter and write back lost records
                SaleSync sync = new SaleSync(stack.redis, new SaleRepository(stack.db), Duration.ofDays(1));
                SyncResult synced = sync.reconcile(sale.id()).orElseThrow();
                SaleSync.Restored restored = sync.restoreOrders(synced.sale());

                System.out.printf(
                        "[cluster-failover] %s: master :%d killed after %d promises, replaced %d ms later, buyers done %d ms"
                                + " later; 201s %d,"
                                + " sold out %d; reconcile %s (unrecorded %d), restored %d records; failed calls"
                                + " retried %s%n",
                        label,
                        master.port(),
                        promisedBeforeKill.get(),
                        replacedMs,
                        recoveredMs,
                        promised.size(),
                        soldOut.get(),
                        synced.action(),
                        synced.unrecorded(),
                        restored.records(),
                        failures);
                try (Jedis replica = cluster.nodes().stream()
                        .filter(n -> n != master && n.alive())
                        .findFirst()
                        .orElseThrow()
                        .connect()) {
                    assertThat(replica.clusterInfo()).contains("cluster_state:ok");
                }
                for (Reservation r : promised.values()) {
                    assertThat(stack.fence.find(r.id()))
                            .as("%s: the 201 for %s", label, r.id())
                            .containsInstanceOf(OrderDecision.Ordered.class);
                }
                assertThat(promised.size() + soldOut.get()).isEqualTo(BUYER_THREADS * BUYERS_PER_THREAD);
                InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
                assertThat(report.violations()).as("%s: %s", label, report).isEmpty();
                assertThat(report.sold()).isLessThanOrEqualTo(STOCK).isEqualTo(promised.size());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static RedisConnection connect(RedisCluster cluster) {
        RedisSettings settings = RedisSettings.of(cluster.url())
                .withClusterMode(true)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .withPoolSize(32);
        return new RedisConnection(
                settings, Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))), Telemetry.noop());
    }

    /**
     * The buyer's (and SQS's) retry: a call Redis could not serve (503) is tried again, with the same key. Anything else
     * (a 500) fails the test: a failover must never surface as an internal error.
     */
    private static <T> T untilAnswered(Callable<T> call, Map<String, AtomicInteger> failures) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (DependencyUnavailableException e) {
                String kind = e.getCause() == null
                        ? "503 (breaker open or no replica ack)"
                        : "503 (" + e.getCause().getClass().getSimpleName() + ")";
                failures.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(Math.min(200, 5L * attempt));
            }
        }
    }
}

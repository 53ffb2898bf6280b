package dev.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.buckets.BucketLedger;
import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.StockTransfers;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SyncResult;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The master that owns a live sale's slot in a real Redis Cluster (3 masters, one replica each) is killed (SIGKILL)
 * while buyers reserve and confirmers confirm; the cluster promotes its replica. Reservations wait for the replica's
 * acknowledgement ({@code REDIS_WAIT_REPLICAS=1}, {@code REDIS_WAIT_ON_TIMEOUT=refuse}: {@code WAIT} through the
 * cluster client to the slot's node), so every {@code 201} was on the replica before it was answered: none is lost.
 * Once the replica took over, a new node replaces the dead one as its replica (as ElastiCache replaces a failed node);
 * until then new holds cannot be acknowledged and are answered 503. Buyers retry a 503 with the same idempotency key.
 * After the failover and prewarm's reconciliation: every 201 is an order, nothing is oversold, every failure anyone saw
 * was a 503, and the invariant checker finds Redis and the database in agreement. Randomized over runs (how many holds
 * before the kill); {@code -Dclusterfailover.runs=N}, {@code -Dclusterfailover.seed=S}.
 */
class ClusterFailoverTest {

    private static final int STOCK = 200;
    private static final int BUYER_THREADS = 6;
    private static final int BUYERS_PER_THREAD = 50; // 300 buyers for 200 units
    private static final int CONFIRMERS = 2;
    /** Short, so the test can run the release job on stale claims as it would run a minute later. */
    private static final Duration CLAIM_TTL = Duration.ofSeconds(3);

    @Test
    void theSalesMasterDies_itsReplicaTakesOver_andEvery201IsAnOrder() throws Exception {
        long seed = Long.getLong("clusterfailover.seed", System.nanoTime());
        int runs = Integer.getInteger("clusterfailover.runs", 2);
        Random random = new Random(seed);
        for (int run = 0; run < runs; run++) {
            runOnce(new Random(random.nextLong()), "seed " + seed + ", run " + run, 1);
        }
    }

    /**
     * The same with the sale split into 3 buckets (on different slots, mostly on different masters): the master of
     * one bucket dies. Transfers are not acknowledged by replicas, so a lend or an accept may be lost with it: prewarm's
     * repair finishes or re-lends them, reconciliation sets each bucket, and the deficits are covered.
     */
    @Test
    void aBucketsMasterDies_itsReplicaTakesOver_andEvery201IsAnOrder() throws Exception {
        long seed = Long.getLong("clusterfailover.seed", System.nanoTime());
        int runs = Integer.getInteger("clusterfailover.runs", 1);
        Random random = new Random(seed);
        for (int run = 0; run < runs; run++) {
            runOnce(new Random(random.nextLong()), "buckets, seed " + seed + ", run " + run, 3);
        }
    }

    private static void runOnce(Random random, String label, int buckets) throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1);
                TestStack stack = new TestStack(cluster.client(), Duration.ofMinutes(10), CLAIM_TTL)) {
            ReservationStore store = new ReservationStore(
                    stack.redis,
                    new ReservationPolicy(
                            Duration.ofMinutes(10), 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5)),
                    new ReplicaAck(1, Duration.ofMillis(500), ReplicaAck.OnTimeout.REFUSE));
            Sale sale = buckets == 1 ? stack.newSale(STOCK, 1, 1) : stack.newSplitSale(STOCK, 1, 1, buckets);
            String tag = "{" + new SaleKeys(sale.id(), random.nextInt(buckets)).tag() + "}";
            RedisProcess master = cluster.ownerOf(JedisClusterCRC16.getSlot(tag));

            try (SaleCrowd crowd = new SaleCrowd(
                            sale.id(), store, new ConfirmHandler(stack.claims, stack.fence), BUYER_THREADS + CONFIRMERS)
                    .start(BUYER_THREADS, BUYERS_PER_THREAD, CONFIRMERS)) {
                crowd.awaitPromised(10 + random.nextInt(STOCK / 2));
                int promisedBeforeKill = crowd.promised().size();
                long killedAt = System.nanoTime();
                master.kill();
                cluster.replaceFailedNodeFor(tag);
                long replacedMs = (System.nanoTime() - killedAt) / 1_000_000;
                crowd.finish();
                long doneMs = (System.nanoTime() - killedAt) / 1_000_000;

                // what prewarm does on its next run: reconcile the counter and write back lost records
                SaleSync sync = new SaleSync(stack.redis, new SaleRepository(stack.db), Duration.ofDays(1));
                StockTransfers transfers = new StockTransfers(stack.redis);
                StockTransfers.Repaired repaired = transfers.repair(sale.id(), buckets, 0);
                SyncResult synced = sync.reconcile(sale.id()).orElseThrow();
                transfers.coverDeficits(sale.id(), buckets);
                SaleSync.Restored restored = sync.restoreOrders(synced.sale());
                // and what the release job does once the claims are stale: a settle the dead master acknowledged but
                // never replicated left its reservation CLAIMED on the promoted replica, with its order in the database
                Thread.sleep(CLAIM_TTL.toMillis() + 100);
                ReleaseSummary released = ReleaseFixture.handler(stack, ReleaseFixture.settings(10_000))
                        .run(List.of(sale.id()), Instant.now().plusSeconds(30));

                System.out.printf(
                        "[cluster-failover] %s: master :%d killed after %d promises, replaced %d ms later, all"
                                + " answered and confirmed %d ms after the kill; 201s %d, sold out %d; reconcile %s"
                                + " (unrecorded %d), restored %d records, %d claims settled by the release job; 503s"
                                + " retried %s; transfers repaired %s%n",
                        label,
                        master.port(),
                        promisedBeforeKill,
                        replacedMs,
                        doneMs,
                        crowd.promised().size(),
                        crowd.soldOut(),
                        synced.action(),
                        synced.unrecorded(),
                        restored.records(),
                        released.claimsConfirmed() + released.claimsReleased(),
                        crowd.failures(),
                        repaired);
                try (Jedis live = cluster.nodes().stream()
                        .filter(RedisProcess::alive)
                        .findFirst()
                        .orElseThrow()
                        .connect()) {
                    assertThat(live.clusterInfo()).contains("cluster_state:ok");
                }
                for (Reservation r : crowd.promised().values()) {
                    assertThat(stack.fence.find(r.id()))
                            .as("%s: the 201 for %s", label, r.id())
                            .containsInstanceOf(OrderDecision.Ordered.class);
                }
                assertThat(crowd.promised().size() + crowd.soldOut()).isEqualTo(BUYER_THREADS * BUYERS_PER_THREAD);
                InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
                assertThat(report.violations()).as("%s: %s", label, report).isEmpty();
                assertThat(report.sold())
                        .isLessThanOrEqualTo(STOCK)
                        .isEqualTo(crowd.promised().size());
                if (buckets > 1) {
                    int sold = new SaleRepository(stack.db)
                            .find(sale.id())
                            .orElseThrow()
                            .sold();
                    assertThat(sold)
                            .isLessThanOrEqualTo(STOCK)
                            .isEqualTo(crowd.promised().size());
                    BucketLedger ledger = BucketLedger.read(stack.redis, sale.id(), buckets);
                    assertThat(ledger.inTransit()).as("%s: %s", label, ledger).isZero();
                    assertThat(ledger.allotted()).as("%s: %s", label, ledger).isEqualTo(STOCK);
                    assertThat(ledger.bucketsBalance())
                            .as("%s: %s", label, ledger)
                            .isTrue();
                    assertThat(ledger.sum(ledger.held()))
                            .as("%s: %s", label, ledger)
                            .isZero();
                    assertThat(ledger.sum(ledger.confirmed()))
                            .as("%s: %s", label, ledger)
                            .isEqualTo(sold);
                    assertThat(ledger.reservable() + sold)
                            .as("%s: %s", label, ledger)
                            .isEqualTo(STOCK);
                }
            }
        }
    }
}

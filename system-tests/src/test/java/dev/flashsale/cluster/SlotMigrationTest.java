package dev.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A live sale's slot moves to another master of a real Redis Cluster while buyers reserve and confirmers confirm, as
 * an operator's resharding moves it ({@code MIGRATE} in batches: meanwhile clients get {@code ASK}, which Jedis follows,
 * and {@code TRYAGAIN}, which the stack retries for 70 ms and then answers 503, for the caller to retry with the same
 * idempotency key). The Redis breaker never opens for it (it did, for every sale, before {@code TRYAGAIN} stopped
 * counting as an outage). Every hold a buyer was answered ends confirmed, nothing is oversold or held twice, and the
 * invariant checker finds Redis and the database in agreement, over randomized runs (when the move starts, how many
 * keys per batch, how long between batches, and a move back). {@code -Dmigration.runs=N}, {@code -Dmigration.seed=S}
 * repeat or replay.
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
                TestStack stack = new TestStack(cluster.client(), Duration.ofMinutes(10), Duration.ofMinutes(2))) {
            for (int run = 0; run < runs; run++) {
                runOnce(cluster, stack, new Random(random.nextLong()), "seed " + seed + ", run " + run);
            }
        }
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

        try (SaleCrowd crowd = new SaleCrowd(
                        sale.id(),
                        stack.store,
                        new ConfirmHandler(stack.claims, stack.fence),
                        BUYER_THREADS + CONFIRMERS)
                .start(BUYER_THREADS, BUYERS_PER_THREAD, CONFIRMERS)) {
            Thread.sleep(10 + random.nextInt(60));
            int answeredBefore = crowd.answered();
            int keys = cluster.migrateSlot(slot, away, batch, pause);
            if (moveBack) {
                keys += cluster.migrateSlot(slot, home, batch, pause);
            }
            int answeredDuring = crowd.answered() - answeredBefore;
            crowd.finish();

            RedisProcess owner = moveBack ? home : away;
            System.out.printf(
                    "[slot-migration] %s: slot %d moved %s%s, %d keys in batches of %d, %d ms apart; holds %d, sold out"
                            + " %d; answered before the move %d, during it %d; 503s retried %s%n",
                    label,
                    slot,
                    home.port() + "->" + away.port(),
                    moveBack ? "->" + home.port() : "",
                    keys,
                    batch,
                    pause.toMillis(),
                    crowd.promised().size(),
                    crowd.soldOut(),
                    answeredBefore,
                    answeredDuring,
                    crowd.failures());
            assertThat(keys).as("the sale's keys moved").isPositive();
            try (Jedis j = owner.connect()) {
                assertThat(j.clusterCountKeysInSlot(slot))
                        .as("the keys live on the slot's owner")
                        .isPositive();
            }
            // a slot on the move is one sale's matter for moments (TRYAGAIN is retried, and not counted as an outage):
            // the breaker that guards every sale's reservations never opened
            assertThat(stack.redis.breaker().getMetrics().getNumberOfNotPermittedCalls())
                    .as("%s: calls refused by an open Redis breaker", label)
                    .isZero();
            assertThat(crowd.promised()).as(label).hasSize(STOCK);
            assertThat(crowd.soldOut()).isEqualTo(BUYER_THREADS * BUYERS_PER_THREAD - STOCK);
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations()).as("%s: %s", label, report).isEmpty();
            assertThat(report.sold()).isEqualTo(STOCK);
            assertThat(report.orderedUnits()).isEqualTo(STOCK);
            assertThat(report.available()).isZero();
        }
    }
}

package dev.flashsale.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestSales;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * One shard that cannot serve opens the breakers of its own slots only, against a real 3-master Redis Cluster: the
 * master of one sale runs out of memory (every write answered {@code OOM}, an outage the breaker counts), and a sale on
 * another master keeps selling throughout. With one breaker for the whole cluster, the first sale's failures would open
 * it for the second.
 */
class SlotBreakersTest {

    private static final ReservationPolicy POLICY =
            new ReservationPolicy(Duration.ofMinutes(10), 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5));

    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3, 0);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static RedisConnection connection() {
        return new RedisConnection(
                RedisSettings.of(cluster.url())
                        .withClusterMode(true)
                        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)),
                // opens after 5 calls of which half failed, and stays open for the test
                Breakers.redis(new BreakerSettings(50, 100, Duration.ofSeconds(30), 10, 5, Duration.ofMinutes(1), 1)),
                Telemetry.noop());
    }

    /** A live sale whose keys live on {@code master}. */
    private static Sale saleOn(RedisConnection redis, RedisProcess master) {
        for (int i = 0; i < 1000; i++) {
            Sale s = TestSales.live(1_000, 1_000, 1);
            if (cluster.ownerOf(new SaleKeys(s.id()).meta()).equals(master)) {
                return TestSales.seed(redis, s);
            }
        }
        throw new IllegalStateException("no sale id found for the master on port " + master.port());
    }

    @Test
    void aShardOutOfMemory_opensItsSlotsBreaker_andASaleOnAnotherShardKeepsSelling() {
        RedisProcess full = cluster.masters().get(0);
        RedisProcess other = cluster.masters().get(1);
        try (RedisConnection redis = connection();
                Jedis onFull = full.connect()) {
            ReservationStore store = new ReservationStore(redis, POLICY, ReplicaAck.NONE);
            Sale starved = saleOn(redis, full);
            Sale selling = saleOn(redis, other);
            onFull.configSet("maxmemory-policy", "noeviction");
            onFull.configSet("maxmemory", "1");
            List<String> starvedAnswers = new ArrayList<>();
            int held = 0;
            try {
                for (int i = 0; i < 20; i++) {
                    try {
                        store.reserve(new ReserveRequest(starved.id(), "s" + i, "k" + i, 1));
                        starvedAnswers.add("answered");
                    } catch (DependencyUnavailableException e) {
                        starvedAnswers.add(e.getMessage());
                    }
                    ReserveOutcome o = store.reserve(new ReserveRequest(selling.id(), "b" + i, "k" + i, 1));
                    assertThat(o)
                            .as("the sale on the healthy shard, call %d", i)
                            .isInstanceOf(ReserveOutcome.Held.class);
                    held++;
                }
            } finally {
                onFull.configSet("maxmemory", "0");
            }

            assertThat(held).isEqualTo(20);
            // a few OOM answers (the breaker needs 5 calls on the slot, its sale's load among them), then refused at
            // once
            int oom = starvedAnswers.indexOf("redis circuit breaker is open");
            assertThat(oom).isBetween(1, 5);
            assertThat(starvedAnswers.subList(0, oom))
                    .allSatisfy(a -> assertThat(a).startsWith("redis unavailable: OOM"));
            assertThat(starvedAnswers.subList(oom, 20)).containsOnly("redis circuit breaker is open");
            assertThat(redis.breakerFor(new SaleKeys(starved.id()).meta()).getState())
                    .isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(redis.breakerFor(new SaleKeys(selling.id()).meta()).getState())
                    .isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(redis.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    /** A live sale in three buckets, each on another master (bucket b on {@code masters[order[b]]}). */
    private static Sale splitSaleOverEveryMaster(RedisConnection redis) {
        for (int i = 0; i < 10_000; i++) {
            Sale s = TestSales.split(30, 1_000, 10, 3);
            long distinct = Buckets.all(s.id(), 3).stream()
                    .map(k -> cluster.ownerOf(k.meta()))
                    .distinct()
                    .count();
            if (distinct == 3) {
                return TestSales.seed(redis, s);
            }
        }
        throw new IllegalStateException("no sale id with its three buckets on three masters");
    }

    private static List<String> buyersHomedIn(int bucket, int n) {
        return java.util.stream.IntStream.range(0, 10_000)
                .mapToObj(i -> "buyer-" + i)
                .filter(b -> Buckets.home(b, 3) == bucket)
                .limit(n)
                .toList();
    }

    @Test
    void aBuyerWhoseBucketIsEmpty_borrowsFromTheShardsThatAnswer_passingOverTheOneOutOfMemory() {
        try (RedisConnection redis = connection()) {
            ReservationStore store = new ReservationStore(redis, POLICY, ReplicaAck.NONE);
            Sale sale = splitSaleOverEveryMaster(redis);
            List<SaleKeys> buckets = Buckets.all(sale.id(), 3);
            // bucket 0: the buyers' home, emptied first; bucket 1: out of memory; bucket 2: lends
            List<String> buyers = buyersHomedIn(0, 11);
            assertThat(store.reserve(new ReserveRequest(sale.id(), buyers.get(0), "all", 10)))
                    .isInstanceOf(ReserveOutcome.Held.class);
            RedisProcess full = cluster.ownerOf(buckets.get(1).meta());
            try (Jedis onFull = full.connect()) {
                onFull.configSet("maxmemory-policy", "noeviction");
                onFull.configSet("maxmemory", "1");
                try {
                    for (String buyer : buyers.subList(1, 11)) {
                        assertThat(store.reserve(new ReserveRequest(sale.id(), buyer, "k", 1)))
                                .as(buyer)
                                .isInstanceOf(ReserveOutcome.Held.class);
                    }
                    // bucket 2 has lent everything; bucket 1 may hold units but cannot answer: not sold out
                    assertThatThrownBy(() -> store.reserve(new ReserveRequest(sale.id(), "late", "k", 1)))
                            .isInstanceOf(DependencyUnavailableException.class);
                } finally {
                    onFull.configSet("maxmemory", "0");
                }
            }
            // read on the nodes themselves: the client's breaker for bucket 1 may be open (it depends on the order
            // the donors were tried in)
            try (Jedis lender = cluster.ownerOf(buckets.get(2).stock()).connect();
                    Jedis starved = full.connect()) {
                assertThat(lender.get(buckets.get(2).stock())).isEqualTo("0");
                assertThat(starved.get(buckets.get(1).stock())).isEqualTo("10");
            }
        }
    }

    @Test
    void onOneNode_everyKeyGoesThroughTheOneBreaker() {
        try (RedisConnection redis = new RedisConnection(
                RedisSettings.of(cluster.url()),
                Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))),
                Telemetry.noop())) {
            assertThat(redis.breakerFor("fs:{a}:meta")).isSameAs(redis.breaker());
            assertThat(redis.breakerFor("fs:{b}:meta")).isSameAs(redis.breaker());
        }
    }

    @Test
    void inACluster_keysOfOneSlotShareABreaker_andOtherSlotsHaveTheirOwn() {
        try (RedisConnection redis = connection()) {
            CircuitBreaker a = redis.breakerFor("fs:{a}:meta");
            assertThat(redis.breakerFor("fs:{a}:stock")).isSameAs(a);
            assertThat(redis.breakerFor("fs:{b}:meta")).isNotSameAs(a).isNotSameAs(redis.breaker());
            assertThat(a.getName()).isEqualTo(redis.breaker().getName());
        }
    }
}

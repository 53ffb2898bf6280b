package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestSales;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A new hold waits for a replica (WAIT, same connection, same round trip) before it is answered: a real primary and a
 * real replica ({@code replicaof}), the replica stopped (SIGSTOP) to make it miss the timeout.
 */
class ReplicaAckTest {

    private static final ReservationPolicy POLICY =
            new ReservationPolicy(Duration.ofMinutes(10), 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5));
    private static final ReplicaAck ANSWER = new ReplicaAck(1, Duration.ofMillis(100), ReplicaAck.OnTimeout.ANSWER);
    private static final ReplicaAck REFUSE = new ReplicaAck(1, Duration.ofMillis(100), ReplicaAck.OnTimeout.REFUSE);

    private static RedisProcess primary;
    private static RedisProcess replica;
    private static Jedis onReplica;

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final RedisConnection redis = new RedisConnection(
            RedisSettings.of(primary.url()).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)),
            Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))),
            Telemetry.create("reserve", null, metrics));

    @AfterEach
    void closeClient() {
        redis.close();
    }

    @BeforeAll
    static void startPair() throws Exception {
        primary = RedisProcess.start(List.of());
        replica = RedisProcess.start(List.of("replicaof 127.0.0.1 " + primary.port()));
        onReplica = new Jedis("127.0.0.1", replica.port());
        for (int i = 0; i < 100 && !onReplica.info("replication").contains("master_link_status:up"); i++) {
            Thread.sleep(50);
        }
        assertThat(onReplica.info("replication")).contains("master_link_status:up");
    }

    @AfterAll
    static void stopPair() {
        onReplica.close();
        replica.close();
        primary.close();
    }

    private static long pid(Jedis jedis) {
        String info = jedis.info("server");
        return Long.parseLong(info.lines()
                .filter(l -> l.startsWith("process_id:"))
                .findFirst()
                .orElseThrow()
                .substring(11)
                .trim());
    }

    /** Stops the replica process for the duration of {@code work}: it neither applies nor acknowledges writes. */
    private static void withReplicaStopped(Runnable work) throws IOException, InterruptedException {
        long pid = pid(onReplica);
        signal("STOP", pid);
        try {
            work.run();
        } finally {
            signal("CONT", pid);
        }
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                        .start()
                        .waitFor())
                .isZero();
    }

    private Map<String, Long> acks() {
        Map<String, Long> byOutcome = new HashMap<>();
        metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(RedisConnection.REPLICA_ACKS))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .forEach((LongPointData p) -> byOutcome.put(
                        p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("outcome")),
                        p.getValue()));
        return byOutcome;
    }

    private Sale sale() {
        return TestSales.seed(redis, TestSales.live(10, 4, 2));
    }

    private static ReserveRequest request(Sale sale, String buyer, String key, int quantity) {
        return new ReserveRequest(sale.id(), buyer, key, quantity);
    }

    @Test
    void anAcknowledgedHold_isOnTheReplicaWhenTheBuyerIsAnswered() {
        ReservationStore store = new ReservationStore(redis, POLICY, ANSWER);
        Sale sale = sale();

        ReserveOutcome outcome = store.reserve(request(sale, "b1", "k1", 2));

        assertThat(outcome).isInstanceOf(ReserveOutcome.Held.class);
        String id = ((ReserveOutcome.Held) outcome).reservation().id();
        // no waiting here: WAIT already made sure the replica applied the hold
        assertThat(onReplica.hget(new SaleKeys(sale.id()).reservations(), id)).contains("\"HELD\"");
        assertThat(onReplica.get(new SaleKeys(sale.id()).stock())).isEqualTo("8");
        assertThat(acks()).containsEntry("acknowledged", 1L).doesNotContainKey("timed_out");
    }

    @Test
    void withAnswer_aHoldNoReplicaAcknowledged_isAnsweredAnyway_andCounted() throws Exception {
        ReservationStore store = new ReservationStore(redis, POLICY, ANSWER);
        Sale sale = sale();
        withReplicaStopped(
                () -> assertThat(store.reserve(request(sale, "b1", "k1", 2))).isInstanceOf(ReserveOutcome.Held.class));

        assertThat(acks()).containsEntry("timed_out", 1L);
        assertThat(store.find(new SaleKeys(sale.id()), ReservationIds.of(sale.id(), "b1", "k1"))
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.HELD);
    }

    @Test
    void withRefuse_aHoldNoReplicaAcknowledged_isCancelled_andTheBuyerToldToRetry() throws Exception {
        ReservationStore store = new ReservationStore(redis, POLICY, REFUSE);
        Sale sale = sale();
        withReplicaStopped(() -> assertThatThrownBy(() -> store.reserve(request(sale, "b1", "k1", 2)))
                .isInstanceOfSatisfying(DependencyUnavailableException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("redis");
                    assertThat(e.getMessage()).contains("nothing was reserved");
                }));

        String id = ReservationIds.of(sale.id(), "b1", "k1");
        assertThat(store.find(new SaleKeys(sale.id()), id).orElseThrow().status())
                .isEqualTo(ReservationStatus.CANCELLED);
        SaleKeys k = new SaleKeys(sale.id());
        String stock = redis.call(c -> c.get(k.stock()));
        String units = redis.call(c -> c.hget(k.units(), "b1"));
        assertThat(stock).isEqualTo("10");
        assertThat(units).isNull();
        assertThat(acks()).containsEntry("timed_out", 1L);

        // the replica is back: the retry with the same key takes the hold, under the same id
        ReserveOutcome retry = store.reserve(request(sale, "b1", "k1", 2));
        assertThat(retry).isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
            assertThat(h.reservation().id()).isEqualTo(id);
            assertThat(h.reservation().status()).isEqualTo(ReservationStatus.HELD);
        });
        assertThat(acks()).containsEntry("acknowledged", 1L);
    }

    @Test
    void withRefuse_onlyNewHoldsAreRefused_replaysAndRefusalsAnswerAsTheyAre() throws Exception {
        ReservationStore store = new ReservationStore(redis, POLICY, REFUSE);
        Sale sale = TestSales.seed(redis, TestSales.live(2, 4, 2));
        Reservation held = ((ReserveOutcome.Held) store.reserve(request(sale, "b1", "k1", 2))).reservation();

        withReplicaStopped(() -> {
            assertThat(store.reserve(request(sale, "b1", "k1", 2)))
                    .isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
                        assertThat(h.replayed()).isTrue();
                        assertThat(h.reservation().id()).isEqualTo(held.id());
                    });
            assertThat(store.reserve(request(sale, "b2", "k2", 1)))
                    .isInstanceOfSatisfying(
                            ReserveOutcome.Refused.class,
                            r -> assertThat(r.refusal()).isInstanceOf(Refusal.SoldOut.class));
            assertThat(store.reserve(request(sale, "b1", "k1", 1)))
                    .isInstanceOfSatisfying(
                            ReserveOutcome.Refused.class,
                            r -> assertThat(r.refusal()).isInstanceOf(Refusal.KeyReused.class));
        });
        // only the one new hold was a promise to count
        assertThat(acks()).containsEntry("acknowledged", 1L).doesNotContainKey("timed_out");
    }

    /** Buyers whose home is bucket 0 of a sale in two. */
    private static List<String> homedInBucketZero(int n) {
        return java.util.stream.IntStream.range(0, 1000)
                .mapToObj(i -> "buyer-" + i)
                .filter(b -> Buckets.home(b, 2) == 0)
                .limit(n)
                .toList();
    }

    @Test
    void aTransferBetweenBuckets_waitsForTheDonorsReplica_andIsCountedWithTheHold() throws Exception {
        ReservationStore store = new ReservationStore(redis, POLICY, ANSWER);
        Sale sale = TestSales.seed(redis, TestSales.split(4, 4, 2, 2)); // two units in each bucket
        List<String> buyers = homedInBucketZero(2);
        SaleKeys donor = Buckets.all(sale.id(), 2).get(1);
        assertThat(store.reserve(request(sale, buyers.get(0), "k1", 2))).isInstanceOf(ReserveOutcome.Held.class);
        assertThat(acks()).containsEntry("acknowledged", 1L); // its own bucket had the units: no transfer

        // bucket 0 is empty: the next hold borrows from bucket 1, whose lend no replica acknowledges
        withReplicaStopped(() -> assertThat(store.reserve(request(sale, buyers.get(1), "k2", 1)))
                .isInstanceOf(ReserveOutcome.Held.class));

        assertThat(acks()).containsEntry("acknowledged", 1L).containsEntry("timed_out", 2L);
        long lent = redis.call(c -> c.hlen(donor.lent()));
        String donorStock = redis.call(c -> c.get(donor.stock()));
        assertThat(lent).isEqualTo(1L);
        assertThat(donorStock).isEqualTo("1");

        // the replica is back: the next borrow's lend and hold are both acknowledged
        assertThat(store.reserve(request(sale, buyers.get(1), "k3", 1))).isInstanceOf(ReserveOutcome.Held.class);
        assertThat(acks()).containsEntry("acknowledged", 3L).containsEntry("timed_out", 2L);
        assertThat(onReplica.hlen(donor.lent())).isEqualTo(2L);
        assertThat(onReplica.get(donor.stock())).isEqualTo("0");
    }

    @Test
    void withRefuse_aTransferNoReplicaAcknowledged_isUndoneOnTheDonor_andTheBuyerToldToRetry() throws Exception {
        ReservationStore store = new ReservationStore(redis, POLICY, REFUSE);
        Sale sale = TestSales.seed(redis, TestSales.split(4, 4, 2, 2)); // two units in each bucket
        List<String> buyers = homedInBucketZero(2);
        SaleKeys home = Buckets.all(sale.id(), 2).get(0);
        SaleKeys donor = Buckets.all(sale.id(), 2).get(1);
        assertThat(store.reserve(request(sale, buyers.get(0), "k1", 2))).isInstanceOf(ReserveOutcome.Held.class);

        withReplicaStopped(() -> assertThatThrownBy(() -> store.reserve(request(sale, buyers.get(1), "k2", 1)))
                .isInstanceOfSatisfying(
                        DependencyUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("no Redis replica acknowledged a transfer")));

        // nothing moved: the donor has its units and its allotment back, and no transfer in its journal
        String donorStock = redis.call(c -> c.get(donor.stock()));
        String donorAllot = redis.call(c -> c.hget(donor.meta(), "allot"));
        String homeStock = redis.call(c -> c.get(home.stock()));
        long journal = redis.call(c -> c.hlen(donor.lent()));
        assertThat(donorStock).isEqualTo("2");
        assertThat(donorAllot).isEqualTo("2");
        assertThat(homeStock).isEqualTo("0");
        assertThat(journal).isZero();
        assertThat(store.find(home, ReservationIds.of(sale.id(), buyers.get(1), "k2")))
                .isEmpty();

        // the replica is back: the retry borrows, and both the lend and the hold are acknowledged
        assertThat(store.reserve(request(sale, buyers.get(1), "k2", 1))).isInstanceOf(ReserveOutcome.Held.class);
        assertThat(onReplica.get(donor.stock())).isEqualTo("1");
    }

    @Test
    void withoutReplicas_nothingWaits_andNothingIsCounted() {
        ReservationStore store = new ReservationStore(redis, POLICY, ReplicaAck.NONE);
        Sale sale = sale();
        assertThat(store.reserve(request(sale, "b1", "k1", 1))).isInstanceOf(ReserveOutcome.Held.class);
        assertThat(acks()).isEmpty();
    }
}

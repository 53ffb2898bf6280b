package dev.flashsale.testing;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.payment.UnitsReturn;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One simulated execution environment wired to the real Redis and PostgreSQL: its own Redis client and its own
 * database connection, and the layer's pieces built on them (stores, claims, fence, sale loading). The functions'
 * handlers are built by their own tests from these, e.g. {@code new ConfirmHandler(stack.claims, stack.fence)}; the
 * invariants are checked with {@code new InvariantChecker(stack.redis, stack.db)} (module flashsale-invariants).
 */
public final class TestStack implements AutoCloseable {

    public final RedisConnection redis;
    public final DbConnection db = TestDatabase.connect();
    public final Duration holdTtl;
    public final Duration claimTtl;
    /** Failed confirmations park their claims this long: a day, so that only tests about it see one lapse. */
    public final Duration redriveWindow = Duration.ofDays(1);

    public final ReservationStore store;
    public final HoldClaims claims;
    public final OrderFence fence = new OrderFence(db);
    public final OrderPayments payments = new OrderPayments(db);
    public final IdGenerator ids = IdGenerator.create();

    public TestStack(Duration holdTtl, Duration claimTtl) {
        this(TestRedis.connect(), holdTtl, claimTtl);
    }

    /** On a Redis of the test's own (a cluster, a server it kills); closed with the stack. */
    public TestStack(RedisConnection redis, Duration holdTtl, Duration claimTtl) {
        this.redis = redis;
        this.holdTtl = holdTtl;
        this.claimTtl = claimTtl;
        this.store = new ReservationStore(
                redis,
                new ReservationPolicy(holdTtl, 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5)),
                ReplicaAck.NONE);
        this.claims = new HoldClaims(redis, claimTtl, redriveWindow);
    }

    /**
     * What a function's environment needs to reach the test Redis and PostgreSQL ({@code REDIS_URL},
     * {@code DATABASE_URL}, {@code DB_USER}, {@code DB_PASSWORD}), with {@code more} on top; a new map, changeable.
     */
    public static Map<String, String> environment(Map<String, String> more) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", TestRedis.url());
        env.put("REDIS_CLUSTER_MODE", Boolean.toString(TestRedis.cluster()));
        env.put("DATABASE_URL", TestDatabase.settings().url());
        env.put("DB_USER", TestDatabase.settings().user());
        env.put("DB_PASSWORD", TestDatabase.settings().password());
        env.putAll(more);
        return env;
    }

    /** Long holds and claims: nothing expires during a test unless it says so. */
    public static TestStack create() {
        return new TestStack(Duration.ofMinutes(10), Duration.ofMinutes(2));
    }

    /** One-second holds and claims, for tests that let them expire. */
    public static TestStack shortLived() {
        return new TestStack(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    /** A live sale (fresh id) in the database and in Redis with the same stock. */
    public Sale newSale(int stock, int perBuyerLimit, int perOrderMax) {
        Sale sale = TestSales.live(stock, perBuyerLimit, perOrderMax);
        new SaleRepository(db).create(sale, 1999, "USD");
        TestSales.seed(redis, sale);
        return sale;
    }

    /** A live sale (fresh id) split into {@code buckets} stock buckets, in the database and in Redis. */
    public Sale newSplitSale(int stock, int perBuyerLimit, int perOrderMax, int buckets) {
        Sale sale = TestSales.split(stock, perBuyerLimit, perOrderMax, buckets);
        new SaleRepository(db).create(sale, 1999, "USD");
        TestSales.seed(redis, sale);
        return sale;
    }

    /** A live sale (fresh id) whose orders must be paid within {@code paymentWindow}, in the database and in Redis. */
    public Sale newSale(int stock, int perBuyerLimit, int perOrderMax, Duration paymentWindow) {
        Sale sale = TestSales.live(stock, perBuyerLimit, perOrderMax);
        new SaleRepository(db).create(sale, "", 1999, "USD", paymentWindow);
        TestSales.seed(redis, sale);
        return sale;
    }

    /** Order cancellations on this stack's database and Redis; {@code afterStep} may throw to simulate a crash. */
    public OrderCancellations cancellations(Consumer<OrderCancellations.Step> afterStep) {
        return new OrderCancellations(payments, new UnitsReturn(redis, store.buckets()), afterStep);
    }

    /** A hold that must be granted. */
    public Reservation hold(String saleId, String buyerId, int quantity) {
        ReserveOutcome outcome =
                store.reserve(new ReserveRequest(saleId, buyerId, "k-" + buyerId + "-" + ids.next(), quantity));
        if (outcome instanceof ReserveOutcome.Held held) {
            return held.reservation();
        }
        throw new AssertionError("hold refused: " + outcome);
    }

    /**
     * Confirms a held reservation with the layer's own steps, in the ConfirmFunction's order: claim it, decide its order
     * through the database fence, settle Redis to that decision. For tests below the functions (the invariant checker).
     */
    public OrderDecision confirm(Reservation r) {
        SaleKeys k = store.buckets().home(r.saleId(), r.buyerId());
        if (!(claims.claim(k, r.id()) instanceof ClaimOutcome.Claimed claimed)) {
            throw new AssertionError("not claimable: " + r);
        }
        OrderDecision decision = fence.confirm(claimed.reservation());
        claims.follow(k, r.id(), decision);
        return decision;
    }

    /** Available units in Redis. */
    public long available(String saleId) {
        return new dev.flashsale.sale.SaleCache(redis, Duration.ofDays(1))
                .available(saleId, store.buckets().orOne(saleId));
    }

    /** Loads sales this stack's database knows into its Redis (the reservation path's lazy loader). */
    public dev.flashsale.sale.SaleLoader saleLoader() {
        return new dev.flashsale.sale.SaleLoader(
                redis,
                saleSync(),
                Clock.systemUTC(),
                new dev.flashsale.sale.SaleLoading(Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    public dev.flashsale.sale.SaleSync saleSync() {
        return new dev.flashsale.sale.SaleSync(redis, new SaleRepository(db), Duration.ofDays(1));
    }

    public static ConfirmationMessage message(Reservation r) {
        return ConfirmationMessage.of(r);
    }

    /**
     * Makes Redis forget a held reservation as a replica promoted in a failover would if the hold never reached it: its
     * record, its key's mapping, its set entries, and its effects on the stock and the buyer's count.
     */
    public void loseInFailover(Reservation r) {
        SaleKeys k = new SaleKeys(r.saleId());
        redis.call(c -> {
            c.hdel(k.reservations(), r.id());
            c.hdel(k.idempotency(), r.buyerId() + "\n" + r.idempotencyKey());
            c.zrem(k.holds(), r.id());
            c.zrem(k.claims(), r.id());
            c.incrBy(k.stock(), r.quantity());
            c.hincrBy(k.units(), r.buyerId(), -r.quantity());
            return null;
        });
    }

    @Override
    public void close() {
        redis.close();
        db.close();
    }
}

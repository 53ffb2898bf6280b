package dev.flashsale.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.release.ReleaseHandler;
import dev.flashsale.release.ReleaseSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;

/**
 * One simulated execution environment wired to the real Redis and PostgreSQL: its own Redis client and its own
 * database connection, the stores, and factories for the handlers under test.
 */
public final class TestStack implements AutoCloseable {

    public final RedisConnection redis = TestRedis.connect();
    public final DbConnection db = TestDatabase.connect();
    public final Duration holdTtl;
    public final Duration claimTtl;
    /** Failed confirmations park their claims this long: a day, so that only tests about it see one lapse. */
    public final Duration redriveWindow = Duration.ofDays(1);
    public final ReservationStore store;
    public final HoldClaims claims;
    public final OrderFence fence = new OrderFence(db);
    public final IdGenerator ids = IdGenerator.create();

    public TestStack(Duration holdTtl, Duration claimTtl) {
        this.holdTtl = holdTtl;
        this.claimTtl = claimTtl;
        this.store = new ReservationStore(redis, new ReservationPolicy(holdTtl, 1_000, 1_000, Duration.ofDays(1), Duration.ofSeconds(5)));
        this.claims = new HoldClaims(redis, claimTtl, redriveWindow);
    }

    /** Long holds and claims: nothing expires during a test unless it says so. */
    public static TestStack create() {
        return new TestStack(Duration.ofMinutes(10), Duration.ofMinutes(2));
    }

    /** A live sale (fresh id) in the database and in Redis with the same stock. */
    public Sale newSale(int stock, int perBuyerLimit, int perOrderMax) {
        Sale sale = TestSales.live(stock, perBuyerLimit, perOrderMax);
        new SaleRepository(db).create(sale, 1999, "USD");
        TestSales.seed(redis, sale);
        return sale;
    }

    /** A hold that must be granted. */
    public Reservation hold(String saleId, String buyerId, int quantity) {
        ReserveOutcome outcome = store.reserve(new ReserveRequest(saleId, buyerId, "k-" + buyerId + "-" + ids.next(), quantity), ids.next());
        if (outcome instanceof ReserveOutcome.Held held) {
            return held.reservation();
        }
        throw new AssertionError("hold refused: " + outcome);
    }

    /** Available units in Redis. */
    public long available(String saleId) {
        return new dev.flashsale.sale.SaleCache(redis, Duration.ofDays(1)).available(saleId);
    }

    /** Loads sales this stack's database knows into its Redis (the reservation path's lazy loader). */
    public dev.flashsale.sale.SaleLoader saleLoader() {
        return new dev.flashsale.sale.SaleLoader(redis, saleSync(), Clock.systemUTC(),
                new dev.flashsale.sale.SaleLoading(Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    public dev.flashsale.sale.SaleSync saleSync() {
        return new dev.flashsale.sale.SaleSync(redis, new SaleRepository(db), Duration.ofDays(1));
    }

    public ConfirmHandler confirmHandler() {
        return new ConfirmHandler(claims, fence);
    }

    public ConfirmHandler confirmHandler(Consumer<ConfirmHandler.Step> afterStep) {
        return new ConfirmHandler(claims, fence, afterStep);
    }

    public ReleaseHandler releaseHandler(ReleaseSettings settings) {
        return releaseHandler(settings, step -> { });
    }

    public ReleaseHandler releaseHandler(ReleaseSettings settings, Consumer<ReleaseHandler.Step> afterStep) {
        return new ReleaseHandler(new SaleRepository(db), store, claims, fence, settings, Clock.systemUTC(), afterStep);
    }

    public static ReleaseSettings releaseSettings(int maxPerRun) {
        return new ReleaseSettings(maxPerRun, 100_000, Duration.ofDays(1), Duration.ZERO);
    }

    public InvariantReport check(String saleId, boolean settled) {
        return new InvariantChecker(redis, db).check(saleId, settled);
    }

    public static ConfirmationMessage message(Reservation r) {
        return ConfirmationMessage.of(r);
    }

    @Override
    public void close() {
        redis.close();
        db.close();
    }
}

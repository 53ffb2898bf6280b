package dev.flashsale.release;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.payment.UnitsReturn;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything the ReleaseFunction builds once per execution environment: the Redis client, the one database connection,
 * the handler and its invoker; both connections registered as CRaC resources.
 */
public final class ReleaseInit extends FunctionInit<ReleaseInvoker> {

    static final Once<ReleaseInit> LAMBDA = perEnvironment(ReleaseInit::from);

    private final SaleRepository sales;
    private final ReleaseHandler handler;
    private final PaymentDeadlines deadlines;

    public ReleaseInit(ReleaseEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        DbConnection db = wiring().db(env.db());
        this.sales = new SaleRepository(db);
        ReservationStore store = new ReservationStore(redis, env.policy(), ReplicaAck.NONE);
        this.handler = new ReleaseHandler(
                sales,
                store,
                new HoldClaims(redis, env.lifetimes().claim(), env.lifetimes().redriveWindow()),
                new OrderFence(db),
                env.bounds(),
                Clock.systemUTC(),
                step -> {});
        OrderPayments payments = new OrderPayments(db);
        this.deadlines = new PaymentDeadlines(
                payments,
                new OrderCancellations(payments, new UnitsReturn(redis, store.buckets())),
                env.bounds(),
                Clock.systemUTC());
        serve(t -> new ReleaseInvoker(handler, deadlines, Clock.systemUTC(), t));
    }

    public static ReleaseInit from(Config config) {
        return build(ReleaseEnvironment.from(config), ReleaseInit::new);
    }

    public ReleaseHandler handler() {
        return handler;
    }

    /**
     * Runs a release over the prime sale only: both due-scans (due.lua) find nothing, so nothing is released. Then the
     * database connection is opened and the scheduled run's query reads at most one sale id, which is discarded: a
     * real run only starts on the schedule.
     */
    @Override
    protected void primePaths() {
        primeScripts();
        handler.run(List.of(PrimeSamples.SALE_ID), Instant.now().plus(Duration.ofSeconds(30)))
                .toMap();
        tryDatabase(() -> {
            Instant now = Instant.now();
            sales.startedAndEndedSince(now, now.minus(Duration.ofDays(1)), 1);
        });
        // the overdue scan: the sales with overdue orders are read, and with no time left none is cancelled
        tryDatabase(() -> deadlines.run(Instant.now()));
    }
}

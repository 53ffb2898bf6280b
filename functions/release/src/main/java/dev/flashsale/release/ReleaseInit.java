package dev.flashsale.release;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
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
public final class ReleaseInit extends FunctionInit {

    private static final Once<ReleaseInit> INSTANCE = new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final RedisConnection redis;
    private final DbConnection db;
    private final SaleRepository sales;
    private final ReleaseHandler handler;
    private final ReleaseInvoker invoker;

    public ReleaseInit(ReleaseEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        this.redis = wiring().redis(env.redis());
        this.db = wiring().db(env.db());
        this.sales = new SaleRepository(db);
        this.handler = new ReleaseHandler(
                sales,
                new ReservationStore(redis, env.policy(), ReplicaAck.NONE),
                new HoldClaims(redis, env.lifetimes().claim(), env.lifetimes().redriveWindow()),
                new OrderFence(db),
                env.bounds(),
                Clock.systemUTC());
        this.invoker = new ReleaseInvoker(handler, Clock.systemUTC(), telemetry);
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say. */
    public static ReleaseInit from(Config config) {
        ReleaseEnvironment env = ReleaseEnvironment.from(config);
        return new ReleaseInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReleaseInit instance() {
        return INSTANCE.get();
    }

    public ReleaseInvoker invoker() {
        return invoker;
    }

    public ReleaseHandler handler() {
        return handler;
    }

    public RedisConnection redis() {
        return redis;
    }

    public DbConnection db() {
        return db;
    }

    /**
     * Runs a release over the prime sale only: both due-scans (due.lua) find nothing, so nothing is released. Then the
     * database connection is opened and the scheduled run's query reads at most one sale id, which is discarded: a
     * real run only starts on the schedule.
     */
    @Override
    protected void primePaths() {
        primeScripts(redis);
        handler.run(List.of(PrimeSamples.SALE_ID), Instant.now().plus(Duration.ofSeconds(30)))
                .toMap();
        tryPriming("reach the database at " + db.settings().redacted(), () -> {
            Instant now = Instant.now();
            sales.startedAndEndedSince(now, now.minus(Duration.ofDays(1)), 1);
        });
    }
}

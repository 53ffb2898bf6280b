package dev.flashsale.prewarm;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.lease.LeaseLock;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;

/**
 * Built once per execution environment of the PrewarmFunction: the Redis client, the database connection, the lease
 * lock (its token source reseeded after a restore), the handler and its invoker.
 */
public final class PrewarmInit extends FunctionInit {

    private static final Once<PrewarmInit> INSTANCE = new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final RedisConnection redis;
    private final DbConnection db;
    private final PrewarmHandler handler;
    private final PrewarmInvoker invoker;

    public PrewarmInit(PrewarmEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        this.redis = wiring().redis(env.redis());
        this.db = wiring().db(env.db());
        Duration retention = env.lifetimes().retention();
        SaleRepository sales = new SaleRepository(db);
        this.handler = new PrewarmHandler(
                sales,
                new SaleCache(redis, retention),
                new SaleSync(redis, sales, retention),
                redis,
                wiring().keep(new LeaseLock(redis)),
                env.run(),
                Clock.systemUTC());
        this.invoker = new PrewarmInvoker(handler, Clock.systemUTC(), telemetry);
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say. */
    public static PrewarmInit from(Config config) {
        PrewarmEnvironment env = PrewarmEnvironment.from(config);
        return new PrewarmInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static PrewarmInit instance() {
        return INSTANCE.get();
    }

    public PrewarmHandler handler() {
        return handler;
    }

    public PrewarmInvoker invoker() {
        return invoker;
    }

    /**
     * Loads the scripts and opens the database connection. A run itself is not primed: it would load sales into Redis
     * (it runs once a minute, so its first run after a restore pays for its class loading).
     */
    @Override
    protected void primePaths() {
        primeScripts(redis);
        tryPriming("reach the database at " + db.settings().redacted(), () -> db.transaction(c -> c.isValid(1)));
    }
}

package dev.flashsale.prewarm;

import dev.flashsale.config.Config;
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
public final class PrewarmInit extends FunctionInit<PrewarmInvoker> {

    static final Once<PrewarmInit> LAMBDA = perEnvironment(PrewarmInit::from);

    private final PrewarmHandler handler;

    public PrewarmInit(PrewarmEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        Duration retention = env.lifetimes().retention();
        SaleRepository sales = new SaleRepository(wiring().db(env.db()));
        this.handler = new PrewarmHandler(
                sales,
                new SaleCache(redis, retention),
                new SaleSync(redis, sales, retention),
                redis,
                wiring().keep(new LeaseLock(redis)),
                env.run(),
                Clock.systemUTC(),
                saleId -> {});
        serve(t -> new PrewarmInvoker(handler, Clock.systemUTC(), t));
    }

    public static PrewarmInit from(Config config) {
        return build(PrewarmEnvironment.from(config), PrewarmInit::new);
    }

    public PrewarmHandler handler() {
        return handler;
    }

    /**
     * Loads the scripts and opens the database connection. A run itself is not primed: it would load sales into Redis
     * (it runs once a minute, so its first run after a restore pays for its class loading).
     */
    @Override
    protected void primePaths() {
        primeScripts();
        tryDatabase(() -> db().transaction(c -> c.isValid(1)));
    }
}

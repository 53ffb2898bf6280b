package dev.flashsale.prewarm;

import java.time.Clock;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.FunctionInit;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.lease.LeaseLock;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;

/**
 * Built once per execution environment of the PrewarmFunction: config, the Redis client, the database connection, the
 * lease lock and the handler; both connections are CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code RESERVATION_RETENTION} (see {@link ReservationPolicy}), {@code PREWARM_*} (see
 * {@link PrewarmSettings}).
 */
public final class PrewarmInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(PrewarmInit.class);
    private static final Once<PrewarmInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), PrewarmInit::new));
    private static final String PRIME_SALE = "__prime__";
    private final RedisConnection redis;
    private final DbConnection db;
    private final LeaseLock lease;
    private final PrewarmHandler handler;
    private final PrewarmHandler.ScriptLoader scripts;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public PrewarmInit(Config config) {
        this(config, Telemetry.fromConfig(config, "prewarm"));
    }

    public PrewarmInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        ReservationPolicy policy = ReservationPolicy.from(config);
        SaleRepository sales = new SaleRepository(db);
        SaleSync sync = new SaleSync(redis, sales, policy.retention());
        ReservationStore store = new ReservationStore(redis, policy);
        HoldClaims claims = HoldClaims.from(redis, config);
        this.scripts = saleId -> {
            store.loadScripts(saleId);
            claims.loadScripts(saleId);
            sync.loadScripts(saleId);
        };
        this.lease = new LeaseLock(redis);  // reseeds its token source after a restore: registered below
        this.handler = new PrewarmHandler(sales, new SaleCache(redis, policy.retention()), sync, scripts, lease,
                PrewarmSettings.from(config), Clock.systemUTC());
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static PrewarmInit instance() {
        return INSTANCE.get();
    }

    public PrewarmHandler handler() {
        return handler;
    }

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis, db, lease};
    }

    /** Loads the scripts and opens the database connection; outages at init are logged, not fatal. */
    @Override
    protected void primePaths() {
        try {
            scripts.load(PRIME_SALE);
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        try {
            db.transaction(c -> c.isValid(1));
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach the database at {}: {}", db.settings().redacted(), e.toString());
        }
    }
}

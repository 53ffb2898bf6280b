package dev.flashsale.prewarm;

import java.time.Clock;

import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
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
public final class PrewarmInit {

    private static final Logger LOG = LoggerFactory.getLogger(PrewarmInit.class);
    private static final String PRIME_SALE = "__prime__";
    private static volatile PrewarmInit instance;

    private final RedisConnection redis;
    private final DbConnection db;
    private final PrewarmHandler handler;
    private final PrewarmHandler.ScriptLoader scripts;

    public PrewarmInit(Config config) {
        this.redis = RedisConnection.fromConfig(config);
        this.db = new DbConnection(DbSettings.from(config));
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
        this.handler = new PrewarmHandler(sales, new SaleCache(redis, policy.retention()), sync, scripts, new LeaseLock(redis),
                PrewarmSettings.from(config), Clock.systemUTC());
    }

    public static PrewarmInit instance() {
        PrewarmInit i = instance;
        if (i == null) {
            synchronized (PrewarmInit.class) {
                i = instance;
                if (i == null) {
                    i = new PrewarmInit(Config.fromEnv());
                    for (Resource r : new Resource[] {i.redis, i.db}) {
                        Core.getGlobalContext().register(r);
                    }
                    i.prime();
                    instance = i;
                }
            }
        }
        return i;
    }

    public PrewarmHandler handler() {
        return handler;
    }

    /** Loads the scripts and opens the database connection; outages at init are logged, not fatal. */
    public void prime() {
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

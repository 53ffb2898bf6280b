package dev.flashsale.query;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Hooks;
import dev.flashsale.crac.Priming;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.sale.NegativeCache;

/**
 * Built once per execution environment of the SaleStatusFunction: the Redis client and a database connection (opened
 * only for sales Redis does not have), both CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code SALE_NEGATIVE_CACHE_TTL} (default 5s, 0..10m).
 */
public final class SaleStatusInit {

    private static final Logger LOG = LoggerFactory.getLogger(SaleStatusInit.class);
    private static volatile SaleStatusInit instance;

    private final Hooks hooks = new Hooks();
    private final Telemetry telemetry;
    private final RedisConnection redis;
    private final DbConnection db;
    private final SaleStatusHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public SaleStatusInit(Config config) {
        this(config, Telemetry.fromConfig(config, "sale-status"));
    }

    public SaleStatusInit(Config config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.handler = new SaleStatusHandler(redis, new SaleRepository(db), new NegativeCache(Clock.systemUTC(),
                config.duration("SALE_NEGATIVE_CACHE_TTL", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(10))),
                Clock.systemUTC());
    }

    /** The CRaC resources this init registered (closed before the snapshot, reopened on first use after restore). */
    public Hooks hooks() {
        return hooks;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public static SaleStatusInit instance() {
        SaleStatusInit i = instance;
        if (i == null) {
            synchronized (SaleStatusInit.class) {
                i = instance;
                if (i == null) {
                    Config config = Config.fromEnv();
                    i = new SaleStatusInit(config);
                    i.hooks.register(i.redis, i.db, i.telemetry);
                    if (Priming.enabled(config)) {
                        i.prime();
                    }
                    instance = i;
                }
            }
        }
        return i;
    }

    public SaleStatusHandler handler() {
        return handler;
    }

    /** Reads the status of a sale that cannot exist: classes, JSON, both connections. Outages are logged, not fatal. */
    public void prime() {
        // what the clients trace here runs under an unsampled parent: nothing is exported; then the tracing path itself
        telemetry.quietly(this::primePaths);
        telemetry.prime();
    }

    private void primePaths() {
        try {
            handler.status("__prime__");
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis or the database: {}", e.toString());
        }
    }
}

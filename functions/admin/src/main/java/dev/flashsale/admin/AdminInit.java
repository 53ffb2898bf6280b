package dev.flashsale.admin;

import java.time.Clock;

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
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;

/**
 * Built once per execution environment of the AdminFunction: config, the Redis client, the database connection, the
 * handler; both connections are CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code RESERVATION_RETENTION} (see {@link ReservationPolicy}), {@code DEV_MODE} and
 * {@code ADMIN_TOKEN} (see {@link AdminAuth}).
 */
public final class AdminInit {

    private static final Logger LOG = LoggerFactory.getLogger(AdminInit.class);
    private static volatile AdminInit instance;

    private final Hooks hooks = new Hooks();
    private final Telemetry telemetry;
    private final RedisConnection redis;
    private final DbConnection db;
    private final AdminAuth auth;
    private final AdminRequestReader reader;
    private final AdminHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public AdminInit(Config config) {
        this(config, Telemetry.fromConfig(config, "admin"));
    }

    public AdminInit(Config config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.auth = AdminAuth.from(config);
        Clock clock = Clock.systemUTC();
        this.reader = new AdminRequestReader(clock);
        SaleRepository sales = new SaleRepository(db);
        ReservationPolicy policy = ReservationPolicy.from(config);
        this.handler = new AdminHandler(sales, new SaleCache(redis, policy.retention()),
                new SaleSync(redis, sales, policy.retention()), clock);
    }

    /** The CRaC resources this init registered (closed before the snapshot, reopened on first use after restore). */
    public Hooks hooks() {
        return hooks;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public static AdminInit instance() {
        AdminInit i = instance;
        if (i == null) {
            synchronized (AdminInit.class) {
                i = instance;
                if (i == null) {
                    Config config = Config.fromEnv();
                    i = new AdminInit(config);
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

    public AdminAuth auth() {
        return auth;
    }

    public AdminRequestReader reader() {
        return reader;
    }

    public AdminHandler handler() {
        return handler;
    }

    /** Reads a sale that cannot exist (classes, JSON, both connections); outages at init are logged, not fatal. */
    public void prime() {
        // what the clients trace here runs under an unsampled parent: nothing is exported; then the tracing path itself
        telemetry.quietly(this::primePaths);
        telemetry.prime();
    }

    private void primePaths() {
        try {
            handler.get("__prime__");
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach the database or Redis: {}", e.toString());
        }
    }
}

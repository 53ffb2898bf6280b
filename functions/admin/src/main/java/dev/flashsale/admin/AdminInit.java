package dev.flashsale.admin;

import java.time.Clock;
import java.util.Arrays;
import java.util.Map;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.PrimeSamples;
import dev.flashsale.crac.FunctionInit;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.ids.IdGenerator;
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
public final class AdminInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(AdminInit.class);
    private static final Once<AdminInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), AdminInit::new));

    private final RedisConnection redis;
    private final DbConnection db;
    private final AdminAuth auth;
    private final AdminRequestReader reader;
    private final AdminHandler handler;
    private final IdGenerator ids;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public AdminInit(Config config) {
        this(config, Telemetry.fromConfig(config, "admin"));
    }

    public AdminInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.auth = AdminAuth.from(config);
        Clock clock = Clock.systemUTC();
        this.reader = new AdminRequestReader(clock);
        SaleRepository sales = new SaleRepository(db);
        ReservationPolicy policy = ReservationPolicy.from(config);
        this.ids = IdGenerator.create();
        this.handler = new AdminHandler(sales, new SaleCache(redis, policy.retention()),
                new SaleSync(redis, sales, policy.retention()), clock, ids);
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static AdminInit instance() {
        return INSTANCE.get();
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

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis, db, ids};
    }

    /** Reads a sale that cannot exist (classes, JSON, both connections); outages at init are logged, not fatal. */
    @Override
    protected void primePaths() {
        // Through the invoker, read-only or refused before any write: a GET of a sale that cannot exist (404), a page of
        // at most one sale, and a create whose body is invalid (422, nothing written).
        AdminInvoker invoker = new AdminInvoker(auth, reader, handler);
        String sale = "/admin/sales/" + PrimeSamples.SALE_ID;
        int[] answers = {
            invoker.handleRequest(PrimeSamples.iamApiEvent("GET", "/admin/sales/{saleId}", sale, Map.of("saleId", PrimeSamples.SALE_ID), null), null).getStatusCode(),
            invoker.handleRequest(PrimeSamples.iamApiEvent("GET", "/admin/sales", "/admin/sales", Map.of(), null), null).getStatusCode(),
            invoker.handleRequest(PrimeSamples.iamApiEvent("POST", "/admin/sales", "/admin/sales", Map.of(),
                    "{\"id\":\"" + PrimeSamples.SALE_ID + "\",\"stock\":-1}"), null).getStatusCode()};
        if (answers[0] != 404 || answers[2] / 100 != 4) {
            LOG.warn("priming the admin path answered {} (is the database reachable?)", Arrays.toString(answers));
        }
    }
}

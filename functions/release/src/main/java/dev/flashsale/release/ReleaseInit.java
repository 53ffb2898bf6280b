package dev.flashsale.release;

import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.FunctionInit;
import dev.flashsale.crac.PrimeSamples;
import dev.flashsale.crac.Priming;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;

/**
 * Everything the ReleaseFunction builds once per execution environment: config, the Redis client, the one database
 * connection, the handler; both connections registered as CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code RELEASE_*} (see {@link ReleaseSettings}), and {@code CLAIM_TTL} is read but unused here (this job never claims; it reads claim
 * deadlines that the ConfirmFunction set), {@code PRIMING} (default true; see {@link Priming}).
 */
public final class ReleaseInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseInit.class);
    private static final Once<ReleaseInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), ReleaseInit::new));

    private final RedisConnection redis;
    private final DbConnection db;
    private final SaleRepository sales;
    private final HoldClaims claims;
    private final ReleaseHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReleaseInit(Config config) {
        this(config, Telemetry.fromConfig(config, "release"));
    }

    public ReleaseInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.claims = HoldClaims.from(redis, config);
        this.sales = new SaleRepository(db);
        this.handler = new ReleaseHandler(sales, new ReservationStore(redis, ReservationPolicy.from(config)),
                claims, new OrderFence(db), ReleaseSettings.from(config), Clock.systemUTC());
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReleaseInit instance() {
        return INSTANCE.get();
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

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis, db};
    }

    /**
     * Runs a release over the prime sale only: both due-scans (due.lua) find nothing, so nothing is released. Then the
     * database connection is opened and the scheduled run's query reads at most one sale id, which is discarded: a
     * real run only starts on the schedule. Outages at init are logged, not fatal.
     */
    @Override
    protected void primePaths() {
        try {
            claims.loadScripts(PrimeSamples.SALE_ID);
        } catch (RuntimeException e) {
            LOG.warn("priming could not load the scripts into Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        ReleaseSummary summary = handler.run(List.of(PrimeSamples.SALE_ID), Instant.now().plus(Duration.ofSeconds(30)));
        summary.toMap();
        try {
            Instant now = Instant.now();
            sales.startedAndEndedSince(now, now.minus(Duration.ofDays(1)), 1);
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach the database at {}: {}", db.settings().redacted(), e.toString());
        }
    }
}

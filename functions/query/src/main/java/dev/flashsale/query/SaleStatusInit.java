package dev.flashsale.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import dev.flashsale.http.HttpResponses;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.sale.NegativeCache;
import dev.flashsale.sale.SalePhase;

/**
 * Built once per execution environment of the SaleStatusFunction: the Redis client and a database connection (opened
 * only for sales Redis does not have), both CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code SALE_NEGATIVE_CACHE_TTL} (default 5s, 0..10m).
 */
public final class SaleStatusInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(SaleStatusInit.class);
    private static final Once<SaleStatusInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), SaleStatusInit::new));

    private final RedisConnection redis;
    private final DbConnection db;
    private final SaleStatusHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public SaleStatusInit(Config config) {
        this(config, Telemetry.fromConfig(config, "sale-status"));
    }

    public SaleStatusInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.handler = new SaleStatusHandler(redis, new SaleRepository(db), new NegativeCache(Clock.systemUTC(),
                config.duration("SALE_NEGATIVE_CACHE_TTL", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(10))),
                Clock.systemUTC());
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static SaleStatusInit instance() {
        return INSTANCE.get();
    }

    public SaleStatusHandler handler() {
        return handler;
    }

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis, db};
    }

    /** Reads the status of a sale that cannot exist: classes, JSON, both connections. Outages are logged, not fatal. */
    @Override
    protected void primePaths() {
        // Through the invoker: a sale that cannot exist (Redis, then the database, then the 404 problem), and the 200
        // body and cache header of a sample status.
        int answer = new SaleStatusInvoker(handler).handleRequest(PrimeSamples.apiEvent("GET", "/sales/{saleId}",
                "/sales/" + PrimeSamples.SALE_ID, Map.of("saleId", PrimeSamples.SALE_ID), Map.of(), null), null).getStatusCode();
        if (answer != 404) {
            LOG.warn("priming the sale status path answered {} (expected 404 for the prime sale)", answer);
        }
        Instant now = Instant.now();
        SaleStatus sample = new SaleStatus(PrimeSamples.SALE_ID, SalePhase.LIVE, 1, 1, now, now.plusSeconds(60), true, now, false);
        HttpResponses.cacheableJson(200, sample.toMap(), sample.cacheControl(now));
    }
}

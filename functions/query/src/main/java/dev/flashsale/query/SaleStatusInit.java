package dev.flashsale.query;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.NegativeCache;
import dev.flashsale.sale.SalePhase;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built once per execution environment of the SaleStatusFunction: the Redis client and a database connection (opened
 * only for sales Redis does not have), the handler and its invoker.
 */
public final class SaleStatusInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(SaleStatusInit.class);
    private static final Once<SaleStatusInit> INSTANCE = new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final SaleStatusInvoker invoker;

    public SaleStatusInit(SaleStatusEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        DbConnection db = wiring().db(env.db());
        this.invoker = new SaleStatusInvoker(
                new SaleStatusHandler(
                        redis,
                        new SaleRepository(db),
                        new NegativeCache(Clock.systemUTC(), env.negativeCacheTtl()),
                        Clock.systemUTC()),
                telemetry);
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say. */
    public static SaleStatusInit from(Config config) {
        SaleStatusEnvironment env = SaleStatusEnvironment.from(config);
        return new SaleStatusInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static SaleStatusInit instance() {
        return INSTANCE.get();
    }

    public SaleStatusInvoker invoker() {
        return invoker;
    }

    /**
     * Through the invoker: the status of a sale that cannot exist (Redis, then the database, then the 404 problem), and
     * the 200 body and cache header of a sample status. Reads only.
     */
    @Override
    protected void primePaths() {
        int answer = invoker.withoutTelemetry()
                .handleRequest(
                        PrimeSamples.apiEvent(
                                "GET",
                                "/sales/{saleId}",
                                "/sales/" + PrimeSamples.SALE_ID,
                                Map.of("saleId", PrimeSamples.SALE_ID),
                                Map.of(),
                                null),
                        primingContext())
                .getStatusCode();
        if (answer != 404) {
            LOG.warn("priming the sale status path answered {} (expected 404 for the prime sale)", answer);
        }
        Instant now = Instant.now();
        SaleStatus sample =
                new SaleStatus(PrimeSamples.SALE_ID, SalePhase.LIVE, 1, 1, now, now.plusSeconds(60), true, now, false);
        HttpResponses.cacheableJson(200, sample.toMap(), sample.cacheControl(now));
    }
}

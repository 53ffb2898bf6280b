package dev.flashsale.query;

import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.SalePhase;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Built once per execution environment of the SaleStatusFunction: the Redis client and a database connection (opened
 * only for sales Redis does not have), the handler and its invoker.
 */
public final class SaleStatusInit extends FunctionInit<SaleStatusInvoker> {

    static final Once<SaleStatusInit> LAMBDA = perEnvironment(SaleStatusInit::from);

    public SaleStatusInit(SaleStatusEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        SaleStatusHandler handler = new SaleStatusHandler(
                wiring().redis(env.redis()),
                new SaleRepository(wiring().db(env.db())),
                new ExpiringIds(Clock.systemUTC(), env.negativeCacheTtl()),
                Clock.systemUTC());
        serve(t -> new SaleStatusInvoker(handler, t));
    }

    public static SaleStatusInit from(Config config) {
        return build(SaleStatusEnvironment.from(config), SaleStatusInit::new);
    }

    /**
     * Through the invoker: the status of a sale that cannot exist (Redis, then the database, then the 404 problem), and
     * the 200 body and cache header of a sample status. Reads only.
     */
    @Override
    protected void primePaths() {
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest("GET", "/sales/{saleId}", Map.of("saleId", PrimeSamples.SALE_ID))
                        .build(),
                404);
        Instant now = Instant.now();
        SaleStatus sample = new SaleStatus(
                PrimeSamples.SALE_ID, SalePhase.LIVE, Admission.OPEN, 1, 1, now, now.plusSeconds(60), true, now, false);
        HttpResponses.cacheableJson(200, sample.toMap(), sample.cacheControl(now));
    }
}

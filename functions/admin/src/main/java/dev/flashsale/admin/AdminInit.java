package dev.flashsale.admin;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Built once per execution environment of the AdminFunction: the Redis client, the database connection, the id
 * generator (stock change operation ids), the handler and its invoker.
 */
public final class AdminInit extends FunctionInit<AdminInvoker> {

    static final Once<AdminInit> LAMBDA = perEnvironment(AdminInit::from);

    public AdminInit(AdminEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        DbConnection db = wiring().db(env.db());
        SaleRepository sales = new SaleRepository(db);
        Clock clock = Clock.systemUTC();
        Duration retention = env.lifetimes().retention();
        AdminHandler handler = new AdminHandler(
                sales,
                new SaleCache(redis, retention),
                new SaleSync(redis, sales, retention),
                clock,
                wiring().ids(),
                new OrderPayments(db));
        serve(t -> new AdminInvoker(env.auth(), new AdminRequestReader(clock), handler, t));
    }

    public static AdminInit from(Config config) {
        return build(AdminEnvironment.from(config), AdminInit::new);
    }

    /**
     * Through the invoker, read-only or refused before any write: a GET of a sale that cannot exist (404), a page of at
     * most one sale, and a create whose body is invalid (422, nothing written): classes, JSON, both connections.
     */
    @Override
    protected void primePaths() {
        AdminInvoker quiet = quietInvoker();
        primeRequest(
                quiet,
                PrimeSamples.operatorRequest("GET", "/admin/sales/{saleId}", Map.of("saleId", PrimeSamples.SALE_ID))
                        .build(),
                404);
        primeRequest(
                quiet,
                PrimeSamples.operatorRequest("GET", "/admin/sales", Map.of())
                        .rawQueryString("limit=1")
                        .queryParameters(Map.of("limit", "1"))
                        .build(),
                200);
        primeRequest(
                quiet,
                PrimeSamples.operatorRequest("POST", "/admin/sales", Map.of())
                        // every field present and well-formed, so the values are read and refused (a missing
                        // field would stop at the shape check: 400)
                        .body("{\"id\":\"" + PrimeSamples.SALE_ID
                                + "\",\"item\":\"prime\",\"stock\":-1,\"priceCents\":1,\"perBuyerLimit\":1,"
                                + "\"perOrderMax\":1,\"startsAt\":\"2000-01-01T00:00:00Z\","
                                + "\"endsAt\":\"2000-01-01T01:00:00Z\"}")
                        .build(),
                422);
    }
}

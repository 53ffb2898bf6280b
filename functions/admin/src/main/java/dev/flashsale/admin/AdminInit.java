package dev.flashsale.admin;

import dev.flashsale.config.Config;
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
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built once per execution environment of the AdminFunction: the Redis client, the database connection, the id
 * generator (stock change operation ids), the handler and its invoker.
 */
public final class AdminInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(AdminInit.class);
    private static final Once<AdminInit> INSTANCE = new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final AdminInvoker invoker;

    public AdminInit(AdminEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        SaleRepository sales = new SaleRepository(wiring().db(env.db()));
        Clock clock = Clock.systemUTC();
        Duration retention = env.lifetimes().retention();
        AdminHandler handler = new AdminHandler(
                sales, new SaleCache(redis, retention), new SaleSync(redis, sales, retention), clock, wiring().ids());
        this.invoker = new AdminInvoker(env.auth(), new AdminRequestReader(clock), handler, telemetry);
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say. */
    public static AdminInit from(Config config) {
        AdminEnvironment env = AdminEnvironment.from(config);
        return new AdminInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static AdminInit instance() {
        return INSTANCE.get();
    }

    public AdminInvoker invoker() {
        return invoker;
    }

    /**
     * Through the invoker, read-only or refused before any write: a GET of a sale that cannot exist (404), a page of at
     * most one sale, and a create whose body is invalid (422, nothing written): classes, JSON, both connections.
     */
    @Override
    protected void primePaths() {
        AdminInvoker quiet = invoker.withoutTelemetry();
        String sale = "/admin/sales/" + PrimeSamples.SALE_ID;
        int[] answers = {
            quiet.handleRequest(
                            PrimeSamples.iamApiEvent(
                                    "GET", "/admin/sales/{saleId}", sale, Map.of("saleId", PrimeSamples.SALE_ID), null),
                            primingContext())
                    .getStatusCode(),
            quiet.handleRequest(
                            PrimeSamples.iamApiEvent("GET", "/admin/sales", "/admin/sales", Map.of(), null),
                            primingContext())
                    .getStatusCode(),
            quiet.handleRequest(
                            PrimeSamples.iamApiEvent(
                                    "POST",
                                    "/admin/sales",
                                    "/admin/sales",
                                    Map.of(),
                                    "{\"id\":\"" + PrimeSamples.SALE_ID + "\",\"stock\":-1}"),
                            primingContext())
                    .getStatusCode()
        };
        if (answers[0] != 404 || answers[2] / 100 != 4) {
            LOG.warn("priming the admin path answered {} (is the database reachable?)", Arrays.toString(answers));
        }
    }
}

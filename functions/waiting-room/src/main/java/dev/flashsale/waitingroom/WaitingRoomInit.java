package dev.flashsale.waitingroom;

import dev.flashsale.admission.AdmissionQueue;
import dev.flashsale.admission.Tickets;
import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.util.Map;

/**
 * Built once per execution environment of the WaitingRoomFunction, before the SnapStart snapshot: the Redis client,
 * the database connection (opened only to load a sale Redis does not know), the ticket signer, the handler and its
 * invoker. Priming runs each route for a sale that cannot exist, which writes nothing.
 */
public final class WaitingRoomInit extends FunctionInit<WaitingRoomInvoker> {

    static final Once<WaitingRoomInit> LAMBDA = perEnvironment(WaitingRoomInit::from);

    public WaitingRoomInit(WaitingRoomEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        SaleSync sync = new SaleSync(
                redis,
                new SaleRepository(wiring().db(env.db())),
                env.lifetimes().retention());
        SaleLoader loader = new SaleLoader(redis, sync, Clock.systemUTC(), env.loading());
        WaitingRoomHandler handler =
                new WaitingRoomHandler(new AdmissionQueue(redis, env.policy()), loader, new Tickets(env.ticketKey()));
        serve(t -> new WaitingRoomInvoker(handler, env.devMode(), t));
    }

    public static WaitingRoomInit from(Config config) {
        return build(WaitingRoomEnvironment.from(config), WaitingRoomInit::new);
    }

    /**
     * Through the invoker, each route for a sale that cannot exist: the scripts answer UNKNOWN_SALE before they write
     * anything, the database is asked once and remembers the id as missing, and the 404 problem is rendered.
     */
    @Override
    protected void primePaths() {
        primeScripts();
        Map<String, String> sale = Map.of("saleId", PrimeSamples.SALE_ID);
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest("POST", "/sales/{saleId}/queue", sale).build(),
                404);
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest("GET", "/sales/{saleId}/queue/me", sale)
                        .build(),
                404);
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest("GET", "/sales/{saleId}/queue", sale).build(),
                404);
    }
}

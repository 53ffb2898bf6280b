package dev.flashsale.waitingroom;

import dev.flashsale.admission.AdmissionQueue;
import dev.flashsale.admission.QueuePlace;
import dev.flashsale.admission.Ticket;
import dev.flashsale.admission.Tickets;
import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Built once per execution environment of the WaitingRoomFunction, before the SnapStart snapshot: the Redis client,
 * the database connection (opened only to load a sale Redis does not know), the ticket signer, the handler and its
 * invoker. Priming runs each route for a sale that cannot exist, which writes nothing.
 */
public final class WaitingRoomInit extends FunctionInit<WaitingRoomInvoker> {

    static final Once<WaitingRoomInit> LAMBDA = perEnvironment(WaitingRoomInit::from);

    private final Tickets tickets;
    private final WaitingRoomHandler handler;

    public WaitingRoomInit(WaitingRoomEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        SaleSync sync = new SaleSync(
                redis,
                new SaleRepository(wiring().db(env.db())),
                env.lifetimes().retention());
        SaleLoader loader = new SaleLoader(redis, sync, Clock.systemUTC(), env.loading());
        this.tickets = new Tickets(env.ticketKey());
        this.handler = new WaitingRoomHandler(new AdmissionQueue(redis, env.policy()), loader, tickets);
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
        primeViews();
    }

    /**
     * What the 404s above do not reach, without I/O: a ticket signed, and the bodies of an admitted and a waiting place
     * and of the gate rendered to JSON (the first join of a cold environment loaded about 100 classes more).
     */
    private void primeViews() {
        Instant until = Instant.now().plusSeconds(60);
        QueuePlace.Gate gate = new QueuePlace.Gate(1, 2, 10, 1, 10, 1);
        String ticket = tickets.issue(new Ticket(PrimeSamples.SALE_ID, "prime-buyer", 1, until));
        HttpResponses.json(
                201,
                QueueViews.place(
                        PrimeSamples.SALE_ID,
                        new WaitingRoomHandler.Place(new QueuePlace.Admitted(1, until, gate), Optional.of(ticket)),
                        handler.ratePerSecond()),
                Map.of());
        HttpResponses.json(
                200,
                QueueViews.place(
                        PrimeSamples.SALE_ID,
                        new WaitingRoomHandler.Place(
                                new QueuePlace.Waiting(2, 1, Optional.empty(), gate), Optional.empty()),
                        handler.ratePerSecond()),
                Map.of("cache-control", "no-store"));
        HttpResponses.cacheableJson(
                200,
                QueueViews.gate(PrimeSamples.SALE_ID, new QueuePlace.NotJoined(gate)),
                WaitingRoomInvoker.GATE_CACHE_CONTROL);
    }
}

package dev.flashsale.reserve;

import dev.flashsale.admission.Tickets;
import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.util.Map;

/**
 * Everything the ReserveFunction builds once per execution environment, before the SnapStart snapshot: the Redis
 * client, the database connection (opened only to load a sale Redis does not know), the SQS client, the id generator,
 * the handler and its invoker. Priming runs the whole invocation path without changing any data.
 */
public final class ReserveInit extends FunctionInit<ReserveInvoker> {

    static final Once<ReserveInit> LAMBDA = perEnvironment(ReserveInit::from);

    private final SqsConfirmationQueue queue;
    private final SaleLoader loader;

    public ReserveInit(ReserveEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        this.queue = wiring().queue(env.queue(), env.queueBreaker());
        ReservationStore store = new ReservationStore(redis, env.policy(), env.replicaAck());
        SaleSync sync = new SaleSync(
                redis, new SaleRepository(wiring().db(env.db())), env.policy().retention());
        this.loader = new SaleLoader(redis, sync, Clock.systemUTC(), env.loading());
        ReserveHandler handler =
                new ReserveHandler(store, queue, new ExpiringIds(Clock.systemUTC(), env.soldOutCacheTtl()), loader);
        ReserveRequestReader reader = new ReserveRequestReader(
                env.devMode(), env.maxBodyBytes(), new Tickets(env.ticketKey()), Clock.systemUTC());
        serve(t -> new ReserveInvoker(reader, handler, t));
    }

    public static ReserveInit from(Config config) {
        return build(ReserveEnvironment.from(config), ReserveInit::new);
    }

    public SqsConfirmationQueue queue() {
        return queue;
    }

    public SaleLoader loader() {
        return loader;
    }

    /**
     * Runs the whole invocation path once, as the runtime will: a JWT-authorized POST for a sale that does not exist,
     * through the invoker, reader and handler to reserve.lua, which answers UNKNOWN_SALE before it writes anything (the
     * 404 problem is rendered too). Then the success path's serialization (a 201 body, the confirmation message) and
     * the SQS client's code and connection, without sending. Ids drawn here are thrown away, and the generator is
     * reseeded after restore. Scripts are loaded first, so the first EVALSHA finds them.
     */
    @Override
    protected void primePaths() {
        primeScripts();
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest(
                                "POST", "/sales/{saleId}/reservations", Map.of("saleId", PrimeSamples.SALE_ID))
                        .header("idempotency-key", "prime")
                        .header("content-type", "application/json")
                        .body("{\"quantity\":1}")
                        .build(),
                404);
        Reservation sample = PrimeSamples.reservation();
        HttpResponses.json(201, ReservationView.of(sample, 0), Map.of("location", ReservationView.location(sample)));
        queue.prime(ConfirmationMessage.of(sample));
    }
}

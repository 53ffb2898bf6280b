package dev.flashsale.reserve;

import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.FunctionInit;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.crac.PrimeSamples;
import dev.flashsale.crac.Priming;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SoldOutCache;

/**
 * Everything the ReserveFunction builds once per execution environment, before the SnapStart snapshot: config, the
 * Redis client, the SQS client, the handler. Registers CRaC resources (connections closed before the snapshot, the id
 * generator reseeded after restore) and primes the hot path without changing any data.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code CONFIRM_QUEUE_URL}, {@code SQS_*} (see
 * {@link dev.flashsale.queue.SqsSettings}), {@code BREAKER_*} (see {@link dev.flashsale.resilience.BreakerSettings}), {@code HOLD_TTL}, {@code RATE_LIMIT_*} (see {@link ReservationPolicy}), {@code DEV_MODE}
 * (default false), {@code MAX_BODY_BYTES} (default 1024), {@code SOLD_OUT_CACHE_TTL} (default 1s; 0 turns the sold-out
 * fast path off), {@code DATABASE_URL} and {@code DB_*} (see {@link DbSettings}; the connection opens only when a sale
 * must be loaded), {@code SALE_NEGATIVE_CACHE_TTL} and {@code SALE_LOAD_WAIT} (see {@link SaleLoader}), {@code PRIMING}
 * (default true; see {@link Priming}).
 */
public final class ReserveInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReserveInit.class);
    private static final Once<ReserveInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), config -> {
                Telemetry telemetry = Telemetry.fromConfig(config, "reserve");
                return new ReserveInit(config, telemetry, SqsConfirmationQueue.fromConfig(config, telemetry));
            }));

    private final RedisConnection redis;
    private final DbConnection db;
    private final ConfirmationQueue queue;
    private final ReservationStore store;
    private final IdGenerator ids;
    private final ReserveRequestReader reader;
    private final SaleLoader loader;
    private final ReserveHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReserveInit(Config config, ConfirmationQueue queue) {
        this(config, Telemetry.fromConfig(config, "reserve"), queue);
    }

    public ReserveInit(Config config, Telemetry telemetry, ConfirmationQueue queue) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.queue = queue;
        ReservationPolicy policy = ReservationPolicy.from(config);
        this.store = new ReservationStore(redis, policy);
        this.loader = SaleLoader.from(redis, new SaleSync(redis, new SaleRepository(db), policy.retention()), config);
        this.ids = IdGenerator.create();
        this.reader = new ReserveRequestReader(config.bool("DEV_MODE", false), config.integer("MAX_BODY_BYTES", 1024, 64, 65_536));
        this.handler = new ReserveHandler(store, queue, ids, new SoldOutCache(Clock.systemUTC(),
                config.duration("SOLD_OUT_CACHE_TTL", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1))), loader);
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReserveInit instance() {
        return INSTANCE.get();
    }

    public ReserveRequestReader reader() {
        return reader;
    }

    public ReserveHandler handler() {
        return handler;
    }

    public RedisConnection redis() {
        return redis;
    }

    public IdGenerator ids() {
        return ids;
    }

    public SaleLoader loader() {
        return loader;
    }

    @Override
    protected Resource[] cracResources() {
        return queue instanceof Resource r ? new Resource[] {redis, db, ids, r} : new Resource[] {redis, db, ids};
    }

    /**
     * Runs the whole invocation path once, as the runtime will: a JWT-authorized POST for a sale that does not exist,
     * through the invoker, reader and handler to reserve.lua, which answers UNKNOWN_SALE before it writes anything (the
     * 404 problem is rendered too). Then the success path's serialization (a 201 body, the confirmation message) and
     * the SQS client's code and connection, without sending. Ids drawn here are thrown away, and the generator is
     * reseeded after restore. Scripts are loaded first, so the first EVALSHA finds them. A Redis or SQS outage at init is logged, not fatal.
     */
    @Override
    protected void primePaths() {
        try {
            store.loadScripts(PrimeSamples.SALE_ID);
        } catch (RuntimeException e) {
            LOG.warn("priming could not load the scripts into Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        String path = "/sales/" + PrimeSamples.SALE_ID + "/reservations";
        APIGatewayV2HTTPResponse answer = new ReserveInvoker(reader, handler).handleRequest(PrimeSamples.apiEvent("POST",
                "/sales/{saleId}/reservations", path, Map.of("saleId", PrimeSamples.SALE_ID),
                Map.of("idempotency-key", "prime", "content-type", "application/json"), "{\"quantity\":1}"), null);
        if (answer.getStatusCode() != 404) {
            LOG.warn("priming the reserve path answered {} (expected 404 for the prime sale): {}", answer.getStatusCode(), answer.getBody());
        }
        Reservation sample = PrimeSamples.reservation();
        HttpResponses.json(201, ReservationView.of(sample, 0), Map.of("location", ReservationView.location(sample)));
        queue.prime(ConfirmationMessage.of(sample));
    }
}

package dev.flashsale.reserve;

import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import dev.flashsale.config.Config;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemException;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.SoldOutCache;

/**
 * Everything the ReserveFunction builds once per execution environment, before the SnapStart snapshot: config, the
 * Redis client, the SQS client, the handler. Registers CRaC resources (connections closed before the snapshot, the id
 * generator reseeded after restore) and primes the hot path without changing any data.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code CONFIRM_QUEUE_URL}, {@code SQS_*} (see
 * {@link dev.flashsale.queue.SqsSettings}), {@code BREAKER_*} (see {@link dev.flashsale.resilience.BreakerSettings}), {@code HOLD_TTL}, {@code RATE_LIMIT_*} (see {@link ReservationPolicy}), {@code DEV_MODE}
 * (default false), {@code MAX_BODY_BYTES} (default 1024), {@code SOLD_OUT_CACHE_TTL} (default 1s; 0 turns the sold-out
 * fast path off).
 */
public final class ReserveInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReserveInit.class);
    private static final String PRIME_SALE = "__prime__";

    private static volatile ReserveInit instance;

    private final RedisConnection redis;
    private final ReservationStore store;
    private final IdGenerator ids;
    private final ReserveRequestReader reader;
    private final ReserveHandler handler;
    private final Telemetry telemetry;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReserveInit(Config config, ConfirmationQueue queue) {
        this(config, Telemetry.fromConfig(config, "reserve"), queue);
    }

    public ReserveInit(Config config, Telemetry telemetry, ConfirmationQueue queue) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.store = new ReservationStore(redis, ReservationPolicy.from(config));
        this.ids = IdGenerator.create();
        this.reader = new ReserveRequestReader(config.bool("DEV_MODE", false), config.integer("MAX_BODY_BYTES", 1024, 64, 65_536));
        this.handler = new ReserveHandler(store, queue, ids, new SoldOutCache(Clock.systemUTC(),
                config.duration("SOLD_OUT_CACHE_TTL", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1))));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReserveInit instance() {
        ReserveInit i = instance;
        if (i == null) {
            synchronized (ReserveInit.class) {
                i = instance;
                if (i == null) {
                    Config config = Config.fromEnv();
                    Telemetry telemetry = Telemetry.fromConfig(config, "reserve");
                    i = new ReserveInit(config, telemetry, SqsConfirmationQueue.fromConfig(config, telemetry));
                    i.registerCracResources();
                    i.prime();
                    instance = i;
                }
            }
        }
        return i;
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

    public Telemetry telemetry() {
        return telemetry;
    }

    /** Resources the CRaC context holds only weakly: this instance keeps them reachable. */
    public void registerCracResources() {
        for (Resource r : new Resource[] {redis, ids, telemetry}) {
            Core.getGlobalContext().register(r);
        }
    }

    /**
     * Loads classes and the scripts, and runs the reserve path end to end against a sale that does not exist (the
     * script answers UNKNOWN_SALE before it writes anything). A Redis outage at init is logged, not fatal.
     */
    public void prime() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setPathParameters(Map.of("saleId", PRIME_SALE));
        event.setHeaders(Map.of("idempotency-key", "prime", "content-type", "application/json", HttpRequest.DEV_BUYER_HEADER, "prime"));
        event.setBody(Base64.getEncoder().encodeToString("{\"quantity\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);
        ReserveRequest request;
        try {
            request = new ReserveRequestReader(true, 1024).read(new HttpRequest(event));
        } catch (ProblemException e) {
            throw new IllegalStateException("priming request was refused: " + e.getMessage(), e);
        }
        ids.next();
        try {
            store.loadScripts(PRIME_SALE);
            telemetry.quietly(() -> {
                ReserveOutcome outcome = store.reserve(request, ids.next());
                if (outcome instanceof ReserveOutcome.Refused refused) {
                    HttpResponses.problem(refused.refusal().problem(), "/prime");
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis at {}; the first request will connect: {}", redis.settings().redacted(), e.toString());
        }
    }
}

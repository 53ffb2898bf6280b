package dev.flashsale.query;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Hooks;
import dev.flashsale.crac.PrimeSamples;
import dev.flashsale.crac.Priming;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.telemetry.Telemetry;

/**
 * Built once per execution environment of the ReservationQueryFunction: config and the Redis client (closed before a
 * SnapStart snapshot, reopened on first use after restore), primed without changing data.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DEV_MODE} (default false), {@code OTEL_*} and
 * {@code LOG_LEVEL} (see {@link Telemetry}), {@code PRIMING} (default true; see {@link Priming}).
 */
public final class ReservationQueryInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReservationQueryInit.class);
    private static volatile ReservationQueryInit instance;

    private final Hooks hooks = new Hooks();
    private final RedisConnection redis;
    private final ReservationQueryHandler handler;
    private final boolean devMode;
    private final Telemetry telemetry;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReservationQueryInit(Config config) {
        this(config, Telemetry.fromConfig(config, "query"));
    }

    public ReservationQueryInit(Config config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.handler = new ReservationQueryHandler(new ReservationStore(redis, ReservationPolicy.from(config)));
        this.devMode = config.bool("DEV_MODE", false);
    }

    public static ReservationQueryInit instance() {
        ReservationQueryInit i = instance;
        if (i == null) {
            synchronized (ReservationQueryInit.class) {
                i = instance;
                if (i == null) {
                    Config config = Config.fromEnv();
                    i = new ReservationQueryInit(config);
                    i.registerCracResources();
                    if (Priming.enabled(config)) {
                        i.prime();
                    }
                    instance = i;
                }
            }
        }
        return i;
    }

    public ReservationQueryHandler handler() {
        return handler;
    }

    public boolean devMode() {
        return devMode;
    }

    public RedisConnection redis() {
        return redis;
    }

    public Hooks hooks() {
        return hooks;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /**
     * The Redis pool is closed before the snapshot and reopened by the first call after restore; the trace id source
     * is reseeded after restore.
     */
    public void registerCracResources() {
        hooks.register(redis, telemetry);
    }

    /**
     * Runs the invocation path once: a JWT-authorized GET of a reservation that cannot exist (the prime sale is never
     * loaded), through the invoker to Redis and the 404 problem; then decoding a stored reservation and the 200 body's
     * serialization. Reads only.
     */
    public void prime() {
        // Invokers are primed without telemetry, so that no metric counts a priming call; what the clients trace runs
        // under an unsampled parent, so nothing is exported. Then the tracing path itself, unexported.
        telemetry.quietly(this::primePaths);
        telemetry.prime();
    }

    private void primePaths() {
        String path = "/sales/" + PrimeSamples.SALE_ID + "/reservations/" + PrimeSamples.RESERVATION_ID;
        APIGatewayV2HTTPResponse answer = new ReservationQueryInvoker(handler, devMode).handleRequest(PrimeSamples.apiEvent("GET",
                "/sales/{saleId}/reservations/{reservationId}", path,
                Map.of("saleId", PrimeSamples.SALE_ID, "reservationId", PrimeSamples.RESERVATION_ID), Map.of(), null), null);
        if (answer.getStatusCode() != 404) {
            LOG.warn("priming the query path answered {} (expected 404): {}", answer.getStatusCode(), answer.getBody());
        }
        Reservation found = ReservationCodec.decode(PrimeSamples.SALE_ID, PrimeSamples.reservationJson());
        HttpResponses.json(200, ReservationView.of(found), Map.of());
    }
}

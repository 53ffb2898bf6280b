package dev.flashsale.query;

import java.util.Map;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.FunctionInit;
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
public final class ReservationQueryInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReservationQueryInit.class);
    private static final Once<ReservationQueryInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), ReservationQueryInit::new));

    private final RedisConnection redis;
    private final ReservationQueryHandler handler;
    private final boolean devMode;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReservationQueryInit(Config config) {
        this(config, Telemetry.fromConfig(config, "query"));
    }

    public ReservationQueryInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.handler = new ReservationQueryHandler(new ReservationStore(redis, ReservationPolicy.from(config)));
        this.devMode = config.bool("DEV_MODE", false);
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReservationQueryInit instance() {
        return INSTANCE.get();
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

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis};
    }

    /**
     * Runs the invocation path once: a JWT-authorized GET of a reservation that cannot exist (the prime sale is never
     * loaded), through the invoker to Redis and the 404 problem; then decoding a stored reservation and the 200 body's
     * serialization. Reads only.
     */
    @Override
    protected void primePaths() {
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

package dev.flashsale.query;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.DecidedReservations;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built once per execution environment of the ReservationQueryFunction: the Redis client (closed before a SnapStart
 * snapshot, reopened on first use after restore), the handler and its invoker, primed without changing data.
 */
public final class ReservationQueryInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReservationQueryInit.class);
    private static final Once<ReservationQueryInit> INSTANCE =
            new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final RedisConnection redis;
    private final ReservationQueryInvoker invoker;

    public ReservationQueryInit(ReservationQueryEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        this.redis = wiring().redis(env.redis());
        this.invoker = new ReservationQueryInvoker(
                new ReservationQueryHandler(
                        new ReservationStore(redis, env.policy(), ReplicaAck.NONE),
                        new DecidedReservations(wiring().db(env.db()))),
                env.devMode(),
                telemetry);
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say. */
    public static ReservationQueryInit from(Config config) {
        ReservationQueryEnvironment env = ReservationQueryEnvironment.from(config);
        return new ReservationQueryInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ReservationQueryInit instance() {
        return INSTANCE.get();
    }

    public ReservationQueryInvoker invoker() {
        return invoker;
    }

    public RedisConnection redis() {
        return redis;
    }

    /**
     * Runs the invocation path once: a JWT-authorized GET of a reservation that cannot exist (the prime sale is never
     * loaded), through the invoker to Redis and the 404 problem; then decoding a stored reservation and the 200 body's
     * serialization. Reads only.
     */
    @Override
    protected void primePaths() {
        String path = "/sales/" + PrimeSamples.SALE_ID + "/reservations/" + PrimeSamples.RESERVATION_ID;
        APIGatewayV2HTTPResponse answer = invoker.withoutTelemetry()
                .handleRequest(
                        PrimeSamples.apiEvent(
                                "GET",
                                "/sales/{saleId}/reservations/{reservationId}",
                                path,
                                Map.of("saleId", PrimeSamples.SALE_ID, "reservationId", PrimeSamples.RESERVATION_ID),
                                Map.of(),
                                null),
                        primingContext());
        if (answer.getStatusCode() != 404) {
            LOG.warn("priming the query path answered {} (expected 404): {}", answer.getStatusCode(), answer.getBody());
        }
        Reservation found = ReservationCodec.decode(PrimeSamples.SALE_ID, PrimeSamples.reservationJson());
        HttpResponses.json(200, ReservationView.of(found), Map.of());
    }
}

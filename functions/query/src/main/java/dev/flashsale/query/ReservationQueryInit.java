package dev.flashsale.query;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DecidedReservations;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/**
 * Built once per execution environment of the ReservationQueryFunction: the Redis client (closed before a SnapStart
 * snapshot, reopened on first use after restore), the handler and its invoker, primed without changing data.
 */
public final class ReservationQueryInit extends FunctionInit<ReservationQueryInvoker> {

    static final Once<ReservationQueryInit> LAMBDA = perEnvironment(ReservationQueryInit::from);

    public ReservationQueryInit(ReservationQueryEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        DbConnection db = wiring().db(env.db());
        ReservationQueryHandler handler = new ReservationQueryHandler(
                new ReservationStore(wiring().redis(env.redis()), env.policy(), ReplicaAck.NONE),
                new DecidedReservations(db),
                new OrderPayments(db),
                new SaleRepository(db));
        serve(t -> new ReservationQueryInvoker(handler, env.devMode(), t));
    }

    public static ReservationQueryInit from(Config config) {
        return build(ReservationQueryEnvironment.from(config), ReservationQueryInit::new);
    }

    /**
     * Runs the invocation path once: a JWT-authorized GET of a reservation that cannot exist (the prime sale is never
     * loaded), through the invoker to Redis and the 404 problem; then decoding a stored reservation and the 200 body's
     * serialization. Reads only.
     */
    @Override
    protected void primePaths() {
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest(
                                "GET",
                                "/sales/{saleId}/reservations/{reservationId}",
                                Map.of("saleId", PrimeSamples.SALE_ID, "reservationId", PrimeSamples.RESERVATION_ID))
                        .build(),
                404);
        Reservation found = ReservationCodec.decode(PrimeSamples.SALE_ID, PrimeSamples.reservationJson());
        HttpResponses.json(200, ReservationView.of(found), Map.of());
    }
}

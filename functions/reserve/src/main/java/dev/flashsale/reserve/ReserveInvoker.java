package dev.flashsale.reserve;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/**
 * The ReserveFunction's Lambda handler ({@code POST /sales/{saleId}/reservations}), the class template.yaml names as
 * {@code Handler}: event → {@code ReserveRequest}, outcome → 201 (new hold), 200 (replayed key) or problem+json. No
 * business logic here; that is {@link ReserveHandler}.
 */
public final class ReserveInvoker extends HttpInvoker {

    /** The HTTP API route this handler serves (method and path as in template.yaml); checked by the template contract test. */
    public static final String ROUTE = "POST /sales/{saleId}/reservations";

    private final ReserveRequestReader reader;
    private final ReserveHandler handler;

    /** Used by the Lambda runtime: the environment's one {@link ReserveInit}'s invoker. */
    public ReserveInvoker() {
        this(ReserveInit.LAMBDA.get().invoker());
    }

    private ReserveInvoker(ReserveInvoker built) {
        super(built);
        this.reader = built.reader;
        this.handler = built.handler;
    }

    public ReserveInvoker(ReserveRequestReader reader, ReserveHandler handler, Telemetry telemetry) {
        super("flashsale.reservations", telemetry);
        this.reader = reader;
        this.handler = handler;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        ReserveRequest request = reader.read(http);
        invocation.saleId(request.saleId()).quantity(request.quantity()).buyer(request.buyerId());
        ReserveOutcome outcome = handler.reserve(request);
        if (outcome instanceof ReserveOutcome.Held held) {
            invocation.reservationId(held.reservation().id()).outcome(held.replayed() ? "replayed" : "held");
        }
        return respond(outcome, http.path());
    }

    private static APIGatewayV2HTTPResponse respond(ReserveOutcome outcome, String path) {
        return switch (outcome) {
            case ReserveOutcome.Held held
            when held.replayed() ->
                HttpResponses.json(
                        200,
                        ReservationView.of(held.reservation(), held.remaining()),
                        Map.of(
                                "location",
                                ReservationView.location(held.reservation()),
                                "idempotent-replayed",
                                "true"));
            case ReserveOutcome.Held held ->
                HttpResponses.json(
                        201,
                        ReservationView.of(held.reservation(), held.remaining()),
                        Map.of("location", ReservationView.location(held.reservation())));
            case ReserveOutcome.Refused refused ->
                HttpResponses.problem(refused.refusal().problem(), path);
        };
    }
}

package dev.flashsale.query;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/** The ReservationQueryFunction's Lambda handler: {@code GET /sales/{saleId}/reservations/{reservationId}}. */
public final class ReservationQueryInvoker extends HttpInvoker {

    /** The HTTP API route this handler serves (method and path as in template.yaml); checked by the template contract test. */
    public static final String ROUTE = "GET /sales/{saleId}/reservations/{reservationId}";

    private final ReservationQueryHandler handler;
    private final boolean devMode;

    /** Used by the Lambda runtime: the environment's one {@link ReservationQueryInit}'s invoker. */
    public ReservationQueryInvoker() {
        this(ReservationQueryInit.LAMBDA.get().invoker());
    }

    private ReservationQueryInvoker(ReservationQueryInvoker built) {
        super(built);
        this.handler = built.handler;
        this.devMode = built.devMode;
    }

    public ReservationQueryInvoker(ReservationQueryHandler handler, boolean devMode, Telemetry telemetry) {
        super("flashsale.reservation_queries", telemetry);
        this.handler = handler;
        this.devMode = devMode;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
        invocation.saleId(saleId);
        String reservationId = http.idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID);
        String buyerId = http.buyerId(devMode);
        return handler.find(saleId, reservationId, buyerId)
                .map(view -> HttpResponses.json(200, view, Map.of()))
                .orElseThrow(() -> new ProblemException(
                        ProblemType.RESERVATION_NOT_FOUND,
                        "you have no reservation '" + reservationId + "' in sale '" + saleId + "'"));
    }
}

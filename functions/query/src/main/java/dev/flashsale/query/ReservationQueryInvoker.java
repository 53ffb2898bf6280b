package dev.flashsale.query;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvocations;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/** The ReservationQueryFunction's Lambda handler: {@code GET /sales/{saleId}/reservations/{reservationId}}. */
public final class ReservationQueryInvoker implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    /** The HTTP API route this handler serves (method and path as in template.yaml); checked by the template contract test. */
    public static final String ROUTE = "GET /sales/{saleId}/reservations/{reservationId}";

    private final ReservationQueryHandler handler;
    private final boolean devMode;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link ReservationQueryInit}'s invoker. */
    public ReservationQueryInvoker() {
        this(ReservationQueryInit.instance().invoker());
    }

    private ReservationQueryInvoker(ReservationQueryInvoker built) {
        this(built.handler, built.devMode, built.telemetry);
    }

    public ReservationQueryInvoker(ReservationQueryHandler handler, boolean devMode, Telemetry telemetry) {
        this.handler = handler;
        this.devMode = devMode;
        this.telemetry = telemetry;
    }

    /** The same invoker without telemetry: priming must not count in a metric. */
    ReservationQueryInvoker withoutTelemetry() {
        return new ReservationQueryInvoker(handler, devMode, Telemetry.noop());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpInvocations.serve(telemetry, event, context, "flashsale.reservation_queries", (http, invocation) -> {
            String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
            invocation.saleId(saleId);
            String reservationId = http.idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID);
            String buyerId = http.buyerId(devMode);
            return handler.find(saleId, reservationId, buyerId)
                    .map(view -> HttpResponses.json(200, view, Map.of()))
                    .orElseThrow(() -> new ProblemException(
                            ProblemType.RESERVATION_NOT_FOUND,
                            "you have no reservation '" + reservationId + "' in sale '" + saleId + "'"));
        });
    }
}

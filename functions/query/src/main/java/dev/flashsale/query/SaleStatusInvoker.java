package dev.flashsale.query;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvocations;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Telemetry;

/** The SaleStatusFunction's Lambda handler: {@code GET /sales/{saleId}}, any authenticated buyer. */
public final class SaleStatusInvoker implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    public static final String ROUTE = "GET /sales/{saleId}";

    private final SaleStatusHandler handler;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link SaleStatusInit}'s invoker. */
    public SaleStatusInvoker() {
        this(SaleStatusInit.instance().invoker());
    }

    private SaleStatusInvoker(SaleStatusInvoker built) {
        this(built.handler, built.telemetry);
    }

    public SaleStatusInvoker(SaleStatusHandler handler, Telemetry telemetry) {
        this.handler = handler;
        this.telemetry = telemetry;
    }

    /** The same invoker without telemetry: priming must not count in a metric. */
    SaleStatusInvoker withoutTelemetry() {
        return new SaleStatusInvoker(handler, Telemetry.noop());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpInvocations.serve(telemetry, event, context, "flashsale.sale_status", (http, invocation) -> {
            String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
            invocation.saleId(saleId);
            SaleStatus status = handler.status(saleId)
                    .orElseThrow(() ->
                            new ProblemException(Problem.of(ProblemType.SALE_NOT_FOUND, "no sale '" + saleId + "'")
                                    .with("saleId", saleId)));
            return HttpResponses.cacheableJson(200, status.toMap(), status.cacheControl(handler.now()));
        });
    }
}

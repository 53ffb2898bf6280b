package dev.flashsale.query;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;

/** The SaleStatusFunction's Lambda handler: {@code GET /sales/{saleId}}, any authenticated buyer. */
public final class SaleStatusInvoker extends HttpInvoker {

    public static final String ROUTE = "GET /sales/{saleId}";

    private final SaleStatusHandler handler;

    /** Used by the Lambda runtime: the environment's one {@link SaleStatusInit}'s invoker. */
    public SaleStatusInvoker() {
        this(SaleStatusInit.LAMBDA.get().invoker());
    }

    private SaleStatusInvoker(SaleStatusInvoker built) {
        super(built);
        this.handler = built.handler;
    }

    public SaleStatusInvoker(SaleStatusHandler handler, Telemetry telemetry) {
        super("flashsale.sale_status", telemetry);
        this.handler = handler;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
        invocation.saleId(saleId);
        SaleStatus status = handler.status(saleId)
                .orElseThrow(
                        () -> new ProblemException(Problem.of(ProblemType.SALE_NOT_FOUND, "no sale '" + saleId + "'")
                                .with("saleId", saleId)));
        return HttpResponses.cacheableJson(200, status.toMap(), status.cacheControl(handler.now()));
    }
}

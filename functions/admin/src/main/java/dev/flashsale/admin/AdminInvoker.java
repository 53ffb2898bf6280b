package dev.flashsale.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvocations;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.IdempotencyKey;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/**
 * The AdminFunction's Lambda handler: the caller is authorized first (IAM identity, or the dev token), then the route
 * ({@code routeKey}) picks the operation. No business logic here.
 */
public final class AdminInvoker implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String CREATE = "POST /admin/sales";
    static final String LIST = "GET /admin/sales";
    static final String GET = "GET /admin/sales/{saleId}";
    static final String ADD_STOCK = "POST /admin/sales/{saleId}/stock";
    /** Every route this handler serves; template.yaml must route exactly these here (TemplateCodeContractTest). */
    public static final String[] ROUTES = {CREATE, LIST, GET, ADD_STOCK};

    private final AdminAuth auth;
    private final AdminRequestReader reader;
    private final AdminHandler handler;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link AdminInit}. */
    public AdminInvoker() {
        this(AdminInit.instance().invoker());
    }

    private AdminInvoker(AdminInvoker built) {
        this(built.auth, built.reader, built.handler, built.telemetry);
    }

    public AdminInvoker(AdminAuth auth, AdminRequestReader reader, AdminHandler handler, Telemetry telemetry) {
        this.auth = auth;
        this.reader = reader;
        this.handler = handler;
        this.telemetry = telemetry;
    }

    /** The same invoker without telemetry: priming must not count in a metric. */
    AdminInvoker withoutTelemetry() {
        return new AdminInvoker(auth, reader, handler, Telemetry.noop());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpInvocations.serve(telemetry, event, context, "flashsale.admin", (http, invocation) -> {
            auth.authorize(http);
            String route = event.getRouteKey() == null ? "" : event.getRouteKey();
            return switch (route) {
                case CREATE ->
                    switch (handler.create(reader.createSale(http))) {
                        case AdminHandler.Created.New n ->
                            HttpResponses.json(201, n.view(), Map.of("location", SaleViews.location((String)
                                    n.view().get("id"))));
                        case AdminHandler.Created.Replayed r ->
                            HttpResponses.json(
                                    200,
                                    r.view(),
                                    Map.of(
                                            "location",
                                            SaleViews.location((String) r.view().get("id")),
                                            "idempotent-replayed",
                                            "true"));
                    };
                case LIST -> HttpResponses.json(200, handler.list(reader.after(http), reader.pageSize(http)), Map.of());
                case GET -> {
                    String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
                    yield HttpResponses.json(
                            200, handler.get(saleId).orElseThrow(() -> AdminHandler.notFound(saleId)), Map.of());
                }
                case ADD_STOCK -> {
                    String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
                    yield HttpResponses.json(
                            200,
                            handler.addStock(saleId, IdempotencyKey.optional(http), reader.stockToAdd(http)),
                            Map.of());
                }
                default -> throw new ProblemException(ProblemType.METHOD_NOT_ALLOWED, "no admin route " + route);
            };
        });
    }
}

package dev.flashsale.admin;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.IdempotencyKey;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/**
 * The AdminFunction's Lambda handler: the caller is authorized first (IAM identity, or the dev token), then the route
 * ({@code routeKey}) picks the operation. No business logic here.
 */
public final class AdminInvoker extends HttpInvoker {

    static final String CREATE = "POST /admin/sales";
    static final String LIST = "GET /admin/sales";
    static final String GET = "GET /admin/sales/{saleId}";
    static final String ADD_STOCK = "POST /admin/sales/{saleId}/stock";
    static final String REFUNDS = "GET /admin/sales/{saleId}/refunds";
    /** Every route this handler serves; template.yaml must route exactly these here (TemplateCodeContractTest). */
    public static final String[] ROUTES = {CREATE, LIST, GET, ADD_STOCK, REFUNDS};

    private final AdminAuth auth;
    private final AdminRequestReader reader;
    private final AdminHandler handler;

    /** Used by the Lambda runtime: the environment's one {@link AdminInit}. */
    public AdminInvoker() {
        this(AdminInit.LAMBDA.get().invoker());
    }

    private AdminInvoker(AdminInvoker built) {
        super(built);
        this.auth = built.auth;
        this.reader = built.reader;
        this.handler = built.handler;
    }

    public AdminInvoker(AdminAuth auth, AdminRequestReader reader, AdminHandler handler, Telemetry telemetry) {
        super("flashsale.admin", telemetry);
        this.auth = auth;
        this.reader = reader;
        this.handler = handler;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        auth.authorize(http);
        String route = http.routeKey();
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
            case REFUNDS -> {
                String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
                yield HttpResponses.json(
                        200, handler.refunds(saleId, reader.afterEvent(http), reader.pageSize(http)), Map.of());
            }
            default -> throw new ProblemException(ProblemType.METHOD_NOT_ALLOWED, "no admin route " + route);
        };
    }
}

package dev.flashsale.waitingroom;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.Map;

/**
 * The WaitingRoomFunction's Lambda handler: the route ({@code routeKey}) picks the operation. No business logic here;
 * that is {@link WaitingRoomHandler}.
 */
public final class WaitingRoomInvoker extends HttpInvoker {

    static final String JOIN = "POST /sales/{saleId}/queue";
    static final String PLACE = "GET /sales/{saleId}/queue/me";
    static final String GATE = "GET /sales/{saleId}/queue";
    /** Every route this handler serves; template.yaml must route exactly these here (TemplateCodeContractTest). */
    public static final String[] ROUTES = {JOIN, PLACE, GATE};
    /**
     * Routes without the buyers' JWT authorizer (template: {@code Authorizer: NONE}; TemplateCodeContractTest): the
     * gate, the same for every buyer and read by the whole waiting crowd, so that a CDN can serve it.
     */
    public static final String[] PUBLIC_ROUTES = {GATE};

    /** The gate is the same for every buyer and changes at most a few times a second: a CDN may keep it a second. */
    static final String GATE_CACHE_CONTROL = "public, max-age=1";

    private final WaitingRoomHandler handler;
    private final boolean devMode;

    /** Used by the Lambda runtime: the environment's one {@link WaitingRoomInit}'s invoker. */
    public WaitingRoomInvoker() {
        this(WaitingRoomInit.LAMBDA.get().invoker());
    }

    private WaitingRoomInvoker(WaitingRoomInvoker built) {
        super(built);
        this.handler = built.handler;
        this.devMode = built.devMode;
    }

    /** @param devMode accept the buyer from the X-Buyer-Id header when there is no JWT (local runs only) */
    public WaitingRoomInvoker(WaitingRoomHandler handler, boolean devMode, Telemetry telemetry) {
        super("flashsale.waiting_room", telemetry);
        this.handler = handler;
        this.devMode = devMode;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        String route = http.routeKey();
        String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
        invocation.saleId(saleId);
        return switch (route) {
            case JOIN -> {
                String buyerId = http.buyerId(devMode);
                invocation.buyer(buyerId);
                WaitingRoomHandler.Joined joined = handler.join(saleId, buyerId);
                invocation.outcome(joined.first() ? "joined" : "rejoined");
                yield HttpResponses.json(
                        joined.first() ? 201 : 200,
                        QueueViews.place(saleId, joined.place(), handler.ratePerSecond()),
                        Map.of());
            }
            case PLACE -> {
                String buyerId = http.buyerId(devMode);
                invocation.buyer(buyerId);
                yield HttpResponses.json(
                        200,
                        QueueViews.place(saleId, handler.place(saleId, buyerId), handler.ratePerSecond()),
                        Map.of("cache-control", "no-store"));
            }
            case GATE ->
                HttpResponses.cacheableJson(200, QueueViews.gate(saleId, handler.gate(saleId)), GATE_CACHE_CONTROL);
            default -> throw new ProblemException(ProblemType.METHOD_NOT_ALLOWED, "no waiting-room route " + route);
        };
    }
}

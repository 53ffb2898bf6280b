package dev.flashsale.orders;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.db.PaymentEvent;
import dev.flashsale.db.PaymentResult;
import dev.flashsale.http.HttpInvoker;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The PaymentFunction's Lambda handler: the route ({@code routeKey}) picks the operation. No business logic here; that
 * is {@link PaymentHandler}, and the webhook's signature and body are {@link WebhookRequestReader}'s.
 */
public final class PaymentInvoker extends HttpInvoker {

    static final String WEBHOOK = "POST /payments/events";
    static final String CANCEL = "DELETE /sales/{saleId}/reservations/{reservationId}";
    /** Every route this handler serves; template.yaml must route exactly these here (TemplateCodeContractTest). */
    public static final String[] ROUTES = {WEBHOOK, CANCEL};
    /**
     * Routes without the buyers' JWT authorizer (template: {@code Authorizer: NONE}; TemplateCodeContractTest): the
     * payment provider's webhook, authenticated by its HMAC signature over the body instead.
     */
    public static final String[] PUBLIC_ROUTES = {WEBHOOK};

    static final String REPLAYED = "idempotent-replayed";

    private final PaymentHandler handler;
    private final WebhookRequestReader webhooks;
    private final boolean devMode;

    /** Used by the Lambda runtime: the environment's one {@link PaymentInit}'s invoker. */
    public PaymentInvoker() {
        this(PaymentInit.LAMBDA.get().invoker());
    }

    private PaymentInvoker(PaymentInvoker built) {
        super(built);
        this.handler = built.handler;
        this.webhooks = built.webhooks;
        this.devMode = built.devMode;
    }

    /** @param devMode accept the buyer from the X-Buyer-Id header when there is no JWT (local runs only) */
    public PaymentInvoker(PaymentHandler handler, WebhookRequestReader webhooks, boolean devMode, Telemetry telemetry) {
        super("flashsale.payments", telemetry);
        this.handler = handler;
        this.webhooks = webhooks;
        this.devMode = devMode;
    }

    @Override
    protected APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation) {
        String route = http.routeKey();
        return switch (route) {
            case WEBHOOK -> paid(webhooks.read(http), invocation);
            case CANCEL -> cancelled(http, invocation);
            default -> throw new ProblemException(ProblemType.METHOD_NOT_ALLOWED, "no payment route " + route);
        };
    }

    private APIGatewayV2HTTPResponse paid(PaymentEvent event, Invocation invocation) {
        invocation.reservationId(event.reservationId());
        PaymentResult.Recorded recorded = handler.pay(event);
        invocation.saleId(recorded.saleId());
        invocation.outcome(
                recorded.replayed() ? "replayed" : recorded.outcome().name().toLowerCase(Locale.ROOT));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", event.eventId());
        body.put("reservationId", recorded.reservationId());
        body.put("saleId", recorded.saleId());
        body.put("outcome", recorded.outcome().name());
        return HttpResponses.json(200, body, recorded.replayed() ? Map.of(REPLAYED, "true") : Map.of());
    }

    private APIGatewayV2HTTPResponse cancelled(HttpRequest http, Invocation invocation) {
        String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
        invocation.saleId(saleId);
        String reservationId = http.idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID);
        invocation.reservationId(reservationId);
        String buyerId = http.buyerId(devMode);
        invocation.buyer(buyerId);
        PaymentHandler.Cancelled cancelled = handler.cancel(saleId, reservationId, buyerId);
        invocation.outcome(cancelled.replayed() ? "replayed" : "cancelled");
        return HttpResponses.json(200, cancelled.view(), cancelled.replayed() ? Map.of(REPLAYED, "true") : Map.of());
    }
}

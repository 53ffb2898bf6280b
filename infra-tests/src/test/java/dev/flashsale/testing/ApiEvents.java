package dev.flashsale.testing;

import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

/** API Gateway HTTP API (payload v2) events as the JWT-authorized API sends them. */
public final class ApiEvents {

    private ApiEvents() {
    }

    public static APIGatewayV2HTTPEvent reserve(String saleId, String buyerId, String idempotencyKey, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (idempotencyKey != null) {
            headers.put("idempotency-key", idempotencyKey);
        }
        return event("POST", "/sales/{saleId}/reservations", "/sales/" + saleId + "/reservations",
                Map.of("saleId", saleId), headers, buyerId, body);
    }

    public static APIGatewayV2HTTPEvent reservationStatus(String saleId, String reservationId, String buyerId) {
        return event("GET", "/sales/{saleId}/reservations/{reservationId}", "/sales/" + saleId + "/reservations/" + reservationId,
                Map.of("saleId", saleId, "reservationId", reservationId), Map.of(), buyerId, null);
    }

    public static APIGatewayV2HTTPEvent event(String method, String route, String path, Map<String, String> pathParameters,
                                              Map<String, String> headers, String buyerId, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        APIGatewayV2HTTPEvent.RequestContext ctx = new APIGatewayV2HTTPEvent.RequestContext();
        ctx.setHttp(http);
        ctx.setRequestId("test-" + System.nanoTime());
        ctx.setRouteKey(method + " " + route);
        if (buyerId != null) {
            APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
            jwt.setClaims(Map.of("sub", buyerId));
            APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizer.setJwt(jwt);
            ctx.setAuthorizer(authorizer);
        }
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setVersion("2.0");
        e.setRouteKey(method + " " + route);
        e.setRawPath(path);
        e.setPathParameters(pathParameters);
        e.setHeaders(new HashMap<>(headers));
        e.setRequestContext(ctx);
        e.setBody(body);
        e.setIsBase64Encoded(false);
        return e;
    }
}

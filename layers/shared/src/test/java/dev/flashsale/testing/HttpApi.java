package dev.flashsale.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.json.Json;
import java.util.Map;

/**
 * The requests tests send most, as the JWT-authorized HTTP API passes them (built with {@link ApiGatewayEvent}), and
 * the JSON body of an answer.
 */
public final class HttpApi {

    private HttpApi() {}

    /** {@code POST /sales/{saleId}/reservations} by {@code buyerId}, with {@code idempotencyKey} unless null. */
    public static APIGatewayV2HTTPEvent reserve(String saleId, String buyerId, String idempotencyKey, String body) {
        ApiGatewayEvent e = request(
                        "POST", "/sales/{saleId}/reservations", "/sales/" + saleId + "/reservations", buyerId)
                .pathParameter("saleId", saleId)
                .header("content-type", "application/json")
                .body(body);
        if (idempotencyKey != null) {
            e.header("idempotency-key", idempotencyKey);
        }
        return e.build();
    }

    /** {@code GET /sales/{saleId}/reservations/{reservationId}} by {@code buyerId} (none when null). */
    public static APIGatewayV2HTTPEvent reservationStatus(String saleId, String reservationId, String buyerId) {
        return request(
                        "GET",
                        "/sales/{saleId}/reservations/{reservationId}",
                        "/sales/" + saleId + "/reservations/" + reservationId,
                        buyerId)
                .pathParameter("saleId", saleId)
                .pathParameter("reservationId", reservationId)
                .build();
    }

    /** A request for {@code path} on {@code route} with a fresh request id, by {@code buyerId} (none when null). */
    public static APIGatewayV2HTTPEvent saleStatus(String saleId, String buyerId) {
        return request("GET", "/sales/{saleId}", "/sales/" + saleId, buyerId)
                .pathParameter("saleId", saleId)
                .build();
    }

    public static ApiGatewayEvent request(String method, String route, String path, String buyerId) {
        ApiGatewayEvent e = ApiGatewayEvent.request(method, path).route(route).requestId("test-" + System.nanoTime());
        return buyerId == null ? e : e.jwtSubject(buyerId);
    }

    /** An answer's JSON object body. */
    public static Map<String, Object> body(APIGatewayV2HTTPResponse response) {
        return Json.readObject(response.getBody());
    }
}

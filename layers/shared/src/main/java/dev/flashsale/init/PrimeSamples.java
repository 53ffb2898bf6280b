package dev.flashsale.init;

import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import java.time.Instant;
import java.util.Map;

/**
 * Inputs for priming: a sale id no real sale can have (sale ids are {@code [A-Za-z0-9_-]}, and no admin path creates
 * one starting with {@code __}), API events shaped like API Gateway's, and a sample reservation with fixed times.
 * Nothing built here is kept after init.
 */
public final class PrimeSamples {

    /** Never loaded in Redis or stored in the database: every script answers "unknown" for it before writing. */
    public static final String SALE_ID = "__prime__";

    public static final String BUYER_ID = "__prime__";
    public static final String RESERVATION_ID = "__prime__";

    private PrimeSamples() {}

    /** A request for {@code route} by a JWT-authorized buyer, as API Gateway sends it (see {@link #request}). */
    public static ApiGatewayEvent buyerRequest(String method, String route, Map<String, String> pathParameters) {
        return request(method, route, pathParameters).jwtSubject(BUYER_ID);
    }

    /** A JSON request for {@code route} authorized by IAM (an operator's role), as the admin routes are in AWS. */
    public static ApiGatewayEvent operatorRequest(String method, String route, Map<String, String> pathParameters) {
        return request(method, route, pathParameters)
                .header("content-type", "application/json")
                .iam("000000000000", "arn:aws:sts::000000000000:assumed-role/prime/prime");
    }

    /**
     * A request for {@code route} (a path template such as {@code /sales/{saleId}}) whose path is the template filled in
     * with {@code pathParameters}, request id {@code prime}; the caller adds the authorizer, headers and body.
     */
    private static ApiGatewayEvent request(String method, String route, Map<String, String> pathParameters) {
        String path = route;
        for (Map.Entry<String, String> parameter : pathParameters.entrySet()) {
            path = path.replace("{" + parameter.getKey() + "}", parameter.getValue());
        }
        return ApiGatewayEvent.request(method, path)
                .route(route)
                .requestId("prime")
                .pathParameters(pathParameters);
    }

    /** {@link #reservation()} as the Lua scripts store it in {@code fs:{sale}:res}, for exercising decoding only. */
    public static String reservationJson() {
        return "{\"id\":\"" + RESERVATION_ID + "\",\"buyer\":\"" + BUYER_ID + "\",\"qty\":1,\"status\":\"HELD\","
                + "\"created\":1767225600000,\"expires\":1767226200000,\"key\":\"prime\"}";
    }

    /**
     * A HELD reservation of the prime sale, for exercising serialization only. Its deadline is long past, so a
     * confirmation of it never restores anything into Redis (claim.lua restores only live holds).
     */
    public static Reservation reservation() {
        Instant created = Instant.parse("2026-01-01T00:00:00.000Z");
        return new Reservation(
                RESERVATION_ID,
                SALE_ID,
                BUYER_ID,
                1,
                ReservationStatus.HELD,
                created,
                created.plusSeconds(600),
                "prime");
    }
}

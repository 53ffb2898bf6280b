package dev.flashsale.init;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
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

    /** An HTTP API (payload 2.0) event with a JWT-authorized buyer, as API Gateway sends it. */
    public static APIGatewayV2HTTPEvent apiEvent(
            String method,
            String route,
            String path,
            Map<String, String> pathParameters,
            Map<String, String> headers,
            String body) {
        return request(method, route, path, pathParameters, headers, body)
                .jwtSubject(BUYER_ID)
                .build();
    }

    /** Like {@link #apiEvent} but authorized by IAM (an operator's role), as the admin routes are in AWS. */
    public static APIGatewayV2HTTPEvent iamApiEvent(
            String method, String route, String path, Map<String, String> pathParameters, String body) {
        return request(method, route, path, pathParameters, Map.of("content-type", "application/json"), body)
                .iam("000000000000", "arn:aws:sts::000000000000:assumed-role/prime/prime")
                .build();
    }

    private static ApiGatewayEvent request(
            String method,
            String route,
            String path,
            Map<String, String> pathParameters,
            Map<String, String> headers,
            String body) {
        ApiGatewayEvent event = ApiGatewayEvent.request(method, path)
                .route(route)
                .requestId("prime")
                .pathParameters(pathParameters)
                .headers(headers);
        return body == null ? event : event.body(body);
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

package dev.flashsale.init;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;

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

    private PrimeSamples() {
    }

    /** An HTTP API (payload 2.0) event with a JWT-authorized buyer, as API Gateway sends it. */
    public static APIGatewayV2HTTPEvent apiEvent(String method, String route, String path, Map<String, String> pathParameters,
                                                 Map<String, String> headers, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("sub", BUYER_ID));
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        APIGatewayV2HTTPEvent.RequestContext ctx = new APIGatewayV2HTTPEvent.RequestContext();
        ctx.setHttp(http);
        ctx.setAuthorizer(authorizer);
        ctx.setRequestId("prime");
        ctx.setRouteKey(method + " " + route);
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

    /** Like {@link #apiEvent} but authorized by IAM (an operator's role), as the admin routes are in AWS. */
    public static APIGatewayV2HTTPEvent iamApiEvent(String method, String route, String path, Map<String, String> pathParameters,
                                                    String body) {
        APIGatewayV2HTTPEvent e = apiEvent(method, route, path, pathParameters, Map.of("content-type", "application/json"), body);
        APIGatewayV2HTTPEvent.RequestContext.IAM iam = new APIGatewayV2HTTPEvent.RequestContext.IAM();
        iam.setAccountId("000000000000");
        iam.setUserArn("arn:aws:sts::000000000000:assumed-role/prime/prime");
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setIam(iam);
        e.getRequestContext().setAuthorizer(authorizer);
        return e;
    }

    /** {@link #reservation()} as the Lua scripts store it in {@code fs:{sale}:res}, for exercising decoding only. */
    public static String reservationJson() {
        return "{\"id\":\"" + RESERVATION_ID + "\",\"buyer\":\"" + BUYER_ID + "\",\"qty\":1,\"status\":\"HELD\","
                + "\"created\":1767225600000,\"expires\":1767226200000,\"key\":\"prime\"}";
    }

    /** A HELD reservation of the prime sale, for exercising serialization only. */
    public static Reservation reservation() {
        Instant created = Instant.parse("2026-01-01T00:00:00.000Z");
        return new Reservation(RESERVATION_ID, SALE_ID, BUYER_ID, 1, ReservationStatus.HELD, created, created.plusSeconds(600), "prime");
    }
}

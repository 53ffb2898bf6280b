package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.json.Json;
import java.util.HashMap;
import java.util.Map;

/** Builds API Gateway HTTP API responses: JSON bodies and RFC 9457 problem documents. */
public final class HttpResponses {

    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";

    private HttpResponses() {}

    public static APIGatewayV2HTTPResponse json(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put("content-type", JSON);
        headers.put("cache-control", "no-store");
        return response(status, Json.write(body), headers);
    }

    /** A JSON answer that shared caches may keep: {@code cacheControl} such as {@code public, max-age=5}. */
    public static APIGatewayV2HTTPResponse cacheableJson(int status, Object body, String cacheControl) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", JSON);
        headers.put("cache-control", cacheControl);
        return response(status, Json.write(body), headers);
    }

    public static APIGatewayV2HTTPResponse problem(Problem problem, String instance) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", PROBLEM_JSON);
        headers.put("cache-control", "no-store");
        problem.retryAfterSeconds().ifPresent(s -> headers.put("retry-after", Long.toString(s)));
        return response(problem.status(), Json.write(problem.body(instance)), headers);
    }

    private static APIGatewayV2HTTPResponse response(int status, String body, Map<String, String> headers) {
        APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
        r.setStatusCode(status);
        r.setHeaders(headers);
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }
}

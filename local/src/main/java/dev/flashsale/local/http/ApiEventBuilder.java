package dev.flashsale.local.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.flashsale.http.ApiGatewayEvent;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a real HTTP request into the API Gateway HTTP API payload v2 event API Gateway would pass (the event itself is
 * built by the shared {@link ApiGatewayEvent}): {@code routeKey},
 * {@code rawPath}, {@code rawQueryString}, lower-cased headers (repeated ones joined with commas, cookies moved to
 * {@code cookies}), {@code queryStringParameters} (decoded, repeated ones joined with commas), {@code pathParameters},
 * the body (base64 with {@code isBase64Encoded} unless its Content-Type is text and it is valid UTF-8), and
 * {@code requestContext} (http method/path/protocol/sourceIp/userAgent, requestId, time, timeEpoch, stage
 * {@code $default}, and the JWT claims under {@code authorizer.jwt}).
 */
public final class ApiEventBuilder {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final String apiId;

    public ApiEventBuilder(Clock clock, String apiId) {
        this.clock = clock;
        this.apiId = apiId;
    }

    public APIGatewayV2HTTPEvent build(IncomingRequest request, RouteTable.Match match, Map<String, String> claims) {
        String routeKey = match.route().path().equals("$default")
                ? "$default"
                : match.route().routeKey();
        ApiGatewayEvent e = ApiGatewayEvent.request(request.method(), request.rawPath())
                .routeKey(routeKey)
                .rawQueryString(request.rawQuery() == null ? "" : request.rawQuery());

        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(v -> Arrays.stream(v.split(";"))
                        .map(String::trim)
                        .filter(c -> !c.isEmpty())
                        .forEach(cookies::add));
            } else {
                headers.merge(lower, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        e.headers(headers)
                .cookies(cookies)
                .queryParameters(query(request.rawQuery()))
                .pathParameters(match.pathParameters());
        byte[] body = request.body();
        if (body != null && body.length > 0) {
            String text = isText(headers.get("content-type")) ? utf8(body) : null;
            if (text != null) {
                e.body(text);
            } else {
                e.base64Body(body);
            }
        }

        String host = headers.getOrDefault("host", "localhost");
        e.api("000000000000", apiId, host.contains(":") ? host.substring(0, host.indexOf(':')) : host)
                .requestId(requestId())
                .receivedAt(clock.instant())
                .source("HTTP/1.1", request.sourceIp(), headers.getOrDefault("user-agent", ""));
        if (claims != null) {
            e.jwtClaims(claims);
        }
        return e.build();
    }

    /** API Gateway passes these as text; everything else (and a body without Content-Type) as base64. */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.startsWith("text/")
                || media.endsWith("json")
                || media.endsWith("+json")
                || media.endsWith("xml")
                || media.equals("application/javascript")
                || media.equals("application/x-www-form-urlencoded");
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.merge(k, v, (a, b) -> a + "," + b);
        }
        return q;
    }

    /** Shaped like API Gateway's (e.g. {@code JKJaXmPLvHcESHA=}). */
    private static String requestId() {
        byte[] b = new byte[10];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b).substring(0, 14) + "=";
    }
}

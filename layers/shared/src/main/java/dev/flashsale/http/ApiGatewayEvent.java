package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an API Gateway HTTP API event (payload format 2.0) the way API Gateway fills one in. The one builder of such
 * events: priming ({@link dev.flashsale.init.PrimeSamples}), the local runner (from a real HTTP request), the benchmarks
 * and the tests all use it.
 *
 * <pre>{@code
 * ApiGatewayEvent.request("POST", "/sales/s1/reservations").route("/sales/{saleId}/reservations")
 *         .pathParameter("saleId", "s1").header("idempotency-key", "k1").jwtSubject("buyer-1")
 *         .body("{\"quantity\":1}").build();
 * }</pre>
 *
 * <p>Defaults: version {@code 2.0}, route key {@code $default} until {@link #route} names one, no request id, no
 * authorizer, no body. Headers are kept as given (API Gateway lower-cases them; {@link HttpRequest} reads either).
 * Path and query parameters are left out (null) when there are none, as API Gateway does.
 */
public final class ApiGatewayEvent {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final APIGatewayV2HTTPEvent event;
    private final RequestContext context;
    private final RequestContext.Http http;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> pathParameters = new LinkedHashMap<>();
    private final Map<String, String> queryParameters = new LinkedHashMap<>();

    private ApiGatewayEvent(APIGatewayV2HTTPEvent event) {
        this.event = event;
        this.context = event.getRequestContext();
        this.http = context.getHttp();
        putAll(headers, event.getHeaders());
        putAll(pathParameters, event.getPathParameters());
        putAll(queryParameters, event.getQueryStringParameters());
    }

    /** A {@code method} request for {@code path} (the raw path, as the client sent it). */
    public static ApiGatewayEvent request(String method, String path) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRequestContext(new RequestContext());
        event.getRequestContext().setHttp(new RequestContext.Http());
        return new ApiGatewayEvent(event).requestLine(method, path).routeKey("$default");
    }

    /**
     * Starts from a recorded event (a sample from {@code events/}, as API Gateway sent it) to change some of it; every
     * field not changed stays as recorded. Changes {@code recorded} itself.
     */
    public static ApiGatewayEvent from(APIGatewayV2HTTPEvent recorded) {
        if (recorded.getRequestContext() == null || recorded.getRequestContext().getHttp() == null) {
            throw new IllegalArgumentException("a recorded HTTP API event has requestContext.http");
        }
        return new ApiGatewayEvent(recorded);
    }

    public static ApiGatewayEvent post(String path) {
        return request("POST", path);
    }

    /** The method and the raw path (on the event and in its request context); the route key is left as it is. */
    public ApiGatewayEvent requestLine(String method, String path) {
        http.setMethod(method);
        http.setPath(path);
        event.setRawPath(path);
        return this;
    }

    /** The matched route's path template, e.g. {@code /sales/{saleId}}: the route key becomes {@code METHOD path}. */
    public ApiGatewayEvent route(String routePath) {
        return routeKey(http.getMethod() + " " + routePath);
    }

    /** The route key as given (e.g. {@code $default}), on the event and in its request context. */
    public ApiGatewayEvent routeKey(String routeKey) {
        event.setRouteKey(routeKey);
        context.setRouteKey(routeKey);
        return this;
    }

    public ApiGatewayEvent requestId(String requestId) {
        context.setRequestId(requestId);
        return this;
    }

    public ApiGatewayEvent header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ApiGatewayEvent headers(Map<String, String> all) {
        headers.putAll(all);
        return this;
    }

    public ApiGatewayEvent pathParameter(String name, String value) {
        pathParameters.put(name, value);
        return this;
    }

    public ApiGatewayEvent pathParameters(Map<String, String> all) {
        pathParameters.putAll(all);
        return this;
    }

    /** The query string as sent ({@code rawQueryString}); the decoded parameters are {@link #queryParameters}. */
    public ApiGatewayEvent rawQueryString(String raw) {
        event.setRawQueryString(raw);
        return this;
    }

    /** Decoded query parameters, repeated ones already joined with commas as API Gateway does. */
    public ApiGatewayEvent queryParameters(Map<String, String> all) {
        queryParameters.putAll(all);
        return this;
    }

    /** The request's cookies, one {@code name=value} each (API Gateway moves them out of the headers). */
    public ApiGatewayEvent cookies(List<String> cookies) {
        event.setCookies(cookies.isEmpty() ? null : List.copyOf(cookies));
        return this;
    }

    /** A text body, passed as it is. */
    public ApiGatewayEvent body(String text) {
        event.setBody(text);
        event.setIsBase64Encoded(false);
        return this;
    }

    /** A binary body, base64-encoded with {@code isBase64Encoded}. */
    public ApiGatewayEvent base64Body(byte[] bytes) {
        return rawBase64Body(Base64.getEncoder().encodeToString(bytes));
    }

    /** {@code text}'s UTF-8 bytes as a base64 body. */
    public ApiGatewayEvent base64Body(String text) {
        return base64Body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A body flagged base64 exactly as given, valid or not. */
    public ApiGatewayEvent rawBase64Body(String encoded) {
        event.setBody(encoded);
        event.setIsBase64Encoded(true);
        return this;
    }

    /** Authorized by the JWT authorizer with this {@code sub} claim only. */
    public ApiGatewayEvent jwtSubject(String sub) {
        return jwtClaims(Map.of("sub", sub));
    }

    /** Authorized by the JWT authorizer with these claims; the {@code scope} claim, if any, also as the scopes. */
    public ApiGatewayEvent jwtClaims(Map<String, String> claims) {
        RequestContext.Authorizer.JWT jwt = new RequestContext.Authorizer.JWT();
        jwt.setClaims(new LinkedHashMap<>(claims));
        String scope = claims.get("scope");
        jwt.setScopes(scope == null ? null : List.of(scope.trim().split("\\s+")));
        RequestContext.Authorizer authorizer = new RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        context.setAuthorizer(authorizer);
        return this;
    }

    /** Authorized by IAM (SigV4) as {@code userArn} of {@code accountId}, as the admin routes are in AWS. */
    public ApiGatewayEvent iam(String accountId, String userArn) {
        RequestContext.IAM iam = new RequestContext.IAM();
        iam.setAccountId(accountId);
        iam.setUserArn(userArn);
        RequestContext.Authorizer authorizer = new RequestContext.Authorizer();
        authorizer.setIam(iam);
        context.setAuthorizer(authorizer);
        return this;
    }

    /**
     * The API the request came through: account, API id, the domain it was called on (its first label the domain prefix)
     * and the {@code $default} stage.
     */
    public ApiGatewayEvent api(String accountId, String apiId, String domainName) {
        context.setAccountId(accountId);
        context.setApiId(apiId);
        context.setDomainName(domainName);
        context.setDomainPrefix(
                domainName.contains(".") ? domainName.substring(0, domainName.indexOf('.')) : domainName);
        context.setStage("$default");
        return this;
    }

    /** When API Gateway received the request ({@code time} and {@code timeEpoch}). */
    public ApiGatewayEvent receivedAt(Instant at) {
        context.setTime(TIME.format(at));
        context.setTimeEpoch(at.toEpochMilli());
        return this;
    }

    /** The connection: protocol (e.g. {@code HTTP/1.1}), the client's address and its User-Agent. */
    public ApiGatewayEvent source(String protocol, String sourceIp, String userAgent) {
        http.setProtocol(protocol);
        http.setSourceIp(sourceIp);
        http.setUserAgent(userAgent);
        return this;
    }

    private static void putAll(Map<String, String> into, Map<String, String> from) {
        if (from != null) {
            into.putAll(from);
        }
    }

    public APIGatewayV2HTTPEvent build() {
        event.setHeaders(new LinkedHashMap<>(headers));
        event.setPathParameters(pathParameters.isEmpty() ? null : new LinkedHashMap<>(pathParameters));
        event.setQueryStringParameters(queryParameters.isEmpty() ? null : new LinkedHashMap<>(queryParameters));
        return event;
    }
}

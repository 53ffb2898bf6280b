package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Read-only view of an API Gateway HTTP API (payload v2) request: case-insensitive headers, path parameters, a
 * size-checked UTF-8 body and the authenticated buyer.
 */
public final class HttpRequest {

    /** Ids chosen by clients or by us: letters, digits, '-' and '_', 1 to 64 characters. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Buyer ids come from a JWT `sub` (Cognito: a UUID); anything printable up to 128 characters. */
    private static final Pattern BUYER = Pattern.compile("[\\x21-\\x7E]{1,128}");

    public static final String DEV_BUYER_HEADER = "x-buyer-id";

    private final APIGatewayV2HTTPEvent event;

    public HttpRequest(APIGatewayV2HTTPEvent event) {
        this.event = event;
    }

    public Optional<String> header(String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers == null) {
            return Optional.empty();
        }
        String v = headers.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    v = e.getValue();
                    break;
                }
            }
        }
        return Optional.ofNullable(v);
    }

    public Optional<String> pathParameter(String name) {
        Map<String, String> params = event.getPathParameters();
        return params == null ? Optional.empty() : Optional.ofNullable(params.get(name));
    }

    /** A path parameter that must be an {@link #ID}; refused with {@code problem} otherwise. */
    public String idParameter(String name, ProblemType problem) {
        String v = pathParameter(name).orElseThrow(() -> new ProblemException(problem, "the path has no " + name));
        if (!ID.matcher(v).matches()) {
            throw new ProblemException(problem, name + " must be 1 to 64 letters, digits, '-' or '_'");
        }
        return v;
    }

    public Optional<String> queryParameter(String name) {
        Map<String, String> params = event.getQueryStringParameters();
        return params == null ? Optional.empty() : Optional.ofNullable(params.get(name));
    }

    /** The IAM principal (user or role ARN) API Gateway verified for a route with IAM authorization, if any. */
    public Optional<String> iamPrincipal() {
        APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
        if (ctx == null || ctx.getAuthorizer() == null || ctx.getAuthorizer().getIam() == null) {
            return Optional.empty();
        }
        APIGatewayV2HTTPEvent.RequestContext.IAM iam = ctx.getAuthorizer().getIam();
        String arn = iam.getUserArn();
        if (arn == null
                || arn.isBlank()
                || iam.getAccountId() == null
                || iam.getAccountId().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(arn);
    }

    public String method() {
        APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
        if (ctx != null && ctx.getHttp() != null && ctx.getHttp().getMethod() != null) {
            return ctx.getHttp().getMethod().toUpperCase(Locale.ROOT);
        }
        String routeKey = event.getRouteKey();
        return routeKey != null && routeKey.contains(" ") ? routeKey.substring(0, routeKey.indexOf(' ')) : "";
    }

    public String path() {
        return event.getRawPath() == null ? "" : event.getRawPath();
    }

    /** The matched route ({@code POST /admin/sales}), empty when there is none. */
    public String routeKey() {
        return event.getRouteKey() == null ? "" : event.getRouteKey();
    }

    public String requestId() {
        APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
        return ctx == null ? null : ctx.getRequestId();
    }

    /**
     * The body as UTF-8 text, decoded from base64 when API Gateway encoded it.
     *
     * @throws ProblemException 413 when larger than {@code maxBytes}, 400 when not valid base64 or UTF-8
     */
    public String body(int maxBytes) {
        String raw = event.getBody();
        if (raw == null) {
            return "";
        }
        byte[] bytes;
        if (event.getIsBase64Encoded()) {
            if ((long) raw.length() * 3 / 4 > maxBytes + 3L) {
                throw tooLarge(maxBytes);
            }
            try {
                bytes = Base64.getDecoder().decode(raw);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(
                        ProblemType.INVALID_REQUEST, "the body is marked base64 but is not valid base64");
            }
        } else {
            if (raw.length() > maxBytes) {
                throw tooLarge(maxBytes);
            }
            bytes = raw.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "the body is not valid UTF-8");
        }
    }

    private static ProblemException tooLarge(int maxBytes) {
        return new ProblemException(
                Problem.of(ProblemType.BODY_TOO_LARGE, "the body must be at most " + maxBytes + " bytes")
                        .with("maxBytes", maxBytes));
    }

    /** Refuses a Content-Type other than JSON; a missing one is accepted (curl without -H sends none). */
    public void requireJsonContentType() {
        Optional<String> type = header("content-type");
        if (type.isEmpty()) {
            return;
        }
        String media = type.get().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
            throw new ProblemException(
                    ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, was " + type.get());
        }
    }

    /**
     * The buyer: the JWT authorizer's {@code sub} claim; or, only when {@code devMode} is on, the {@code X-Buyer-Id}
     * header.
     */
    public String buyerId(boolean devMode) {
        String sub = jwtSubject();
        if (sub == null && devMode) {
            sub = header(DEV_BUYER_HEADER).orElse(null);
        }
        if (sub == null || sub.isEmpty()) {
            throw new ProblemException(
                    ProblemType.UNAUTHENTICATED,
                    devMode
                            ? "send a bearer token, or in dev mode the X-Buyer-Id header"
                            : "send a bearer token accepted by the API's JWT authorizer");
        }
        if (!BUYER.matcher(sub).matches()) {
            throw new ProblemException(
                    ProblemType.UNAUTHENTICATED, "the buyer id must be 1 to 128 printable ASCII characters");
        }
        return sub;
    }

    private String jwtSubject() {
        APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
        if (ctx == null || ctx.getAuthorizer() == null || ctx.getAuthorizer().getJwt() == null) {
            return null;
        }
        Map<String, String> claims = ctx.getAuthorizer().getJwt().getClaims();
        return claims == null ? null : claims.get("sub");
    }
}

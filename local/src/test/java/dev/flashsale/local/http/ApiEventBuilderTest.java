package dev.flashsale.local.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.local.template.SamTemplate.HttpRoute;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiEventBuilderTest {

    private static final Instant NOW = Instant.parse("2026-11-27T08:40:00.123Z");
    private static final HttpRoute RESERVE =
            new HttpRoute("ReserveFunction", "Reserve", "POST", "/sales/{saleId}/reservations", false);
    private static final HttpRoute STATUS = new HttpRoute(
            "ReservationQueryFunction", "Status", "GET", "/sales/{saleId}/reservations/{reservationId}", false);
    private static final HttpRoute PROXY = new HttpRoute("Any", "Proxy", "ANY", "/files/{path+}", false);
    private static final RouteTable ROUTES = new RouteTable(List.of(
            STATUS,
            PROXY,
            RESERVE,
            new HttpRoute("Exact", "Exact", "GET", "/sales/special/reservations/latest", false)));

    private final ApiEventBuilder builder = new ApiEventBuilder(Clock.fixed(NOW, ZoneOffset.UTC), "local");

    private static Map<String, List<String>> headers(String... kv) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.computeIfAbsent(kv[i], k -> new java.util.ArrayList<>()).add(kv[i + 1]);
        }
        return h;
    }

    @Test
    void build_makesThePayloadV2EventApiGatewayWouldSend() {
        IncomingRequest request = new IncomingRequest(
                "POST",
                "/sales/sale-42/reservations",
                "a=1&b=x%20y&a=2",
                headers(
                        "Content-Type",
                        "application/json",
                        "Idempotency-Key",
                        "k1",
                        "X-Multi",
                        "one",
                        "X-Multi",
                        "two",
                        "Cookie",
                        "s=1; t=2",
                        "Host",
                        "localhost:3000",
                        "User-Agent",
                        "curl/8"),
                "{\"quantity\":2}".getBytes(StandardCharsets.UTF_8),
                "127.0.0.1");

        APIGatewayV2HTTPEvent e =
                builder.build(request, ROUTES.match("POST", request.rawPath()).orElseThrow(), Map.of("sub", "alice"));

        assertThat(e.getVersion()).isEqualTo("2.0");
        assertThat(e.getRouteKey()).isEqualTo("POST /sales/{saleId}/reservations");
        assertThat(e.getRawPath()).isEqualTo("/sales/sale-42/reservations");
        assertThat(e.getRawQueryString()).isEqualTo("a=1&b=x%20y&a=2");
        assertThat(e.getQueryStringParameters()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1,2", "b", "x y"));
        assertThat(e.getHeaders())
                .containsEntry("content-type", "application/json")
                .containsEntry("idempotency-key", "k1")
                .containsEntry("x-multi", "one,two")
                .doesNotContainKey("cookie")
                .doesNotContainKey("Content-Type");
        assertThat(e.getCookies()).containsExactly("s=1", "t=2");
        assertThat(e.getPathParameters()).containsExactly(Map.entry("saleId", "sale-42"));
        assertThat(e.getBody()).isEqualTo("{\"quantity\":2}");
        assertThat(e.getIsBase64Encoded()).isFalse();
        APIGatewayV2HTTPEvent.RequestContext ctx = e.getRequestContext();
        assertThat(ctx.getHttp().getMethod()).isEqualTo("POST");
        assertThat(ctx.getHttp().getPath()).isEqualTo("/sales/sale-42/reservations");
        assertThat(ctx.getHttp().getSourceIp()).isEqualTo("127.0.0.1");
        assertThat(ctx.getHttp().getUserAgent()).isEqualTo("curl/8");
        assertThat(ctx.getRouteKey()).isEqualTo(e.getRouteKey());
        assertThat(ctx.getStage()).isEqualTo("$default");
        assertThat(ctx.getDomainName()).isEqualTo("localhost");
        assertThat(ctx.getRequestId()).matches("[A-Za-z0-9+/]{14}=");
        assertThat(ctx.getTimeEpoch()).isEqualTo(NOW.toEpochMilli());
        assertThat(ctx.getTime()).isEqualTo("27/Nov/2026:08:40:00 +0000");
        assertThat(ctx.getAuthorizer().getJwt().getClaims()).containsExactly(Map.entry("sub", "alice"));
        // and the shared layer reads it as the functions will
        HttpRequest http = new HttpRequest(e);
        assertThat(http.buyerId(false)).isEqualTo("alice");
        assertThat(http.body(1024)).isEqualTo("{\"quantity\":2}");
        assertThat(http.method()).isEqualTo("POST");
    }

    @Test
    void build_base64EncodesABodyThatIsNotText_andOneWithoutContentType() {
        byte[] binary = {(byte) 0xff, 0, 1, 2};
        IncomingRequest octets = new IncomingRequest(
                "POST",
                "/sales/s/reservations",
                "",
                headers("Content-Type", "application/octet-stream"),
                binary,
                "127.0.0.1");
        IncomingRequest untyped = new IncomingRequest(
                "POST",
                "/sales/s/reservations",
                "",
                headers(),
                "{\"quantity\":1}".getBytes(StandardCharsets.UTF_8),
                "127.0.0.1");
        IncomingRequest badUtf8 = new IncomingRequest(
                "POST", "/sales/s/reservations", "", headers("Content-Type", "application/json"), binary, "127.0.0.1");

        for (IncomingRequest r : List.of(octets, untyped, badUtf8)) {
            APIGatewayV2HTTPEvent e =
                    builder.build(r, ROUTES.match("POST", r.rawPath()).orElseThrow(), null);
            assertThat(e.getIsBase64Encoded()).isTrue();
            assertThat(Base64.getDecoder().decode(e.getBody())).isEqualTo(r.body());
            assertThat(e.getRequestContext().getAuthorizer()).isNull();
            assertThat(e.getQueryStringParameters()).isNull();
        }
        assertThat(new HttpRequest(builder.build(
                                untyped, ROUTES.match("POST", untyped.rawPath()).orElseThrow(), null))
                        .body(1024))
                .isEqualTo("{\"quantity\":1}");
    }

    @Test
    void routes_matchLikeApiGateway() {
        assertThat(ROUTES.match("GET", "/sales/s1/reservations/r1")
                        .orElseThrow()
                        .pathParameters())
                .containsExactly(Map.entry("saleId", "s1"), Map.entry("reservationId", "r1"));
        assertThat(ROUTES.match("GET", "/sales/special/reservations/latest")
                        .orElseThrow()
                        .route()
                        .functionId())
                .isEqualTo("Exact");
        assertThat(ROUTES.match("GET", "/sales/a%20b/reservations/r1")
                        .orElseThrow()
                        .pathParameters())
                .containsEntry("saleId", "a b");
        assertThat(ROUTES.match("DELETE", "/files/a/b/c.txt").orElseThrow().pathParameters())
                .containsExactly(Map.entry("path", "a/b/c.txt"));
        assertThat(ROUTES.match("GET", "/sales/s1/reservations")).isEmpty(); // method
        assertThat(ROUTES.match("POST", "/sales//reservations")).isEmpty(); // empty parameter
        assertThat(ROUTES.match("POST", "/sales/s1/reservations/extra/x")).isEmpty(); // length
        assertThat(ROUTES.match("POST", "/other")).isEmpty();
    }

    @Test
    void devToken_givesClaimsFromDevFormAndFromAnUnsignedJwt_andRefusesGarbage() throws Exception {
        assertThat(DevToken.claims(null)).isEmpty();
        assertThat(DevToken.claims("Bearer dev:alice")).contains(Map.of("sub", "alice"));
        String payload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"sub\":\"bob\",\"scope\":\"a b\",\"aud\":[\"x\",\"y\"],\"exp\":1}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(DevToken.claims("bearer eyJhbGciOiJub25lIn0." + payload + "."))
                .contains(Map.of("sub", "bob", "scope", "a b", "aud", "[x y]", "exp", "1"));
        for (String bad : List.of(
                "Basic dXNlcjpwYXNz", "Bearer dev:", "Bearer onlyonepart", "Bearer a.%%%.c", "Bearer a.WzFd.c")) {
            assertThatThrownBy(() -> DevToken.claims(bad)).as(bad).isInstanceOf(DevToken.InvalidTokenException.class);
        }
    }
}

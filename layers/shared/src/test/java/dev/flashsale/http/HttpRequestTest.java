package dev.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRequestTest {

    private static Problem refusal(ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(ProblemException.class);
        return ((ProblemException) t).problem();
    }

    // --- headers --------------------------------------------------------------------------------------------------

    @Test
    void header_lookupIgnoresCase() {
        HttpRequest r = new HttpRequest(ApiGatewayEvent.post("/x")
                .header("Idempotency-Key", "k1")
                .header("content-type", "application/json")
                .build());

        assertThat(r.header("idempotency-key")).contains("k1");
        assertThat(r.header("IDEMPOTENCY-KEY")).contains("k1");
        assertThat(r.header("Content-Type")).contains("application/json");
        assertThat(r.header("x-missing")).isEmpty();
    }

    @Test
    void header_isAbsentWhenTheEventHasNoHeaders() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        assertThat(new HttpRequest(event).header("anything")).isEmpty();
    }

    // --- body -----------------------------------------------------------------------------------------------------

    @Test
    void body_returnsPlainAndBase64BodiesAsUtf8() {
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .body("{\"q\":\"é☃\"}")
                                .build())
                        .body(100))
                .isEqualTo("{\"q\":\"é☃\"}");
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .base64Body("{\"q\":\"é☃\"}")
                                .build())
                        .body(100))
                .isEqualTo("{\"q\":\"é☃\"}");
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x").build()).body(100))
                .isEmpty();
    }

    @Test
    void body_acceptsExactlyMaxBytes() {
        assertThat(new HttpRequest(
                                ApiGatewayEvent.post("/x").body("a".repeat(64)).build())
                        .body(64))
                .hasSize(64);
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .base64Body("a".repeat(64))
                                .build())
                        .body(64))
                .hasSize(64);
    }

    @Test
    void body_refusesAPlainBodyOverTheLimitWith413NamingMaxBytes() {
        Problem p = refusal(() ->
                new HttpRequest(ApiGatewayEvent.post("/x").body("a".repeat(65)).build()).body(64));

        assertThat(p.type()).isEqualTo(ProblemType.BODY_TOO_LARGE);
        assertThat(p.status()).isEqualTo(413);
        assertThat(p.extensions()).containsEntry("maxBytes", 64);
    }

    @Test
    void body_countsBytesNotCharacters() {
        // 32 snowmen are 32 chars but 96 UTF-8 bytes
        Problem plain = refusal(() ->
                new HttpRequest(ApiGatewayEvent.post("/x").body("☃".repeat(32)).build()).body(64));
        Problem base64 = refusal(() -> new HttpRequest(
                        ApiGatewayEvent.post("/x").base64Body("☃".repeat(32)).build())
                .body(64));

        assertThat(plain.type()).isEqualTo(ProblemType.BODY_TOO_LARGE);
        assertThat(base64.type()).isEqualTo(ProblemType.BODY_TOO_LARGE);
    }

    @Test
    void body_refusesABase64BodyOverTheLimitWith413() {
        // one byte over: within the cheap pre-check's slack, caught after decoding
        Problem justOver = refusal(() -> new HttpRequest(
                        ApiGatewayEvent.post("/x").base64Body("a".repeat(65)).build())
                .body(64));
        // far over: refused before decoding
        Problem farOver = refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                        .base64Body(new byte[1_000_000])
                        .build())
                .body(64));

        for (Problem p : new Problem[] {justOver, farOver}) {
            assertThat(p.type()).isEqualTo(ProblemType.BODY_TOO_LARGE);
            assertThat(p.status()).isEqualTo(413);
            assertThat(p.extensions()).containsEntry("maxBytes", 64);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "e30=x", "====", "e3\u00e90="})
    void body_refusesInvalidBase64With400(String encoded) {
        Problem p = refusal(() -> new HttpRequest(
                        ApiGatewayEvent.post("/x").rawBase64Body(encoded).build())
                .body(64));

        assertThat(p.type()).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(p.detail()).contains("base64");
    }

    @Test
    void body_refusesInvalidUtf8With400() {
        byte[][] bad = {
            {'{', (byte) 0xC3, '}'}, // truncated two-byte sequence
            {(byte) 0xFF, (byte) 0xFE}, // never valid in UTF-8
            {(byte) 0xC0, (byte) 0xAF}, // overlong encoding of '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // encoded surrogate
        };
        for (byte[] bytes : bad) {
            Problem p = refusal(() ->
                    new HttpRequest(ApiGatewayEvent.post("/x").base64Body(bytes).build()).body(64));
            assertThat(p.type()).isEqualTo(ProblemType.INVALID_REQUEST);
            assertThat(p.detail()).contains("UTF-8");
        }
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .base64Body("ok".getBytes(StandardCharsets.UTF_8))
                                .build())
                        .body(64))
                .isEqualTo("ok");
    }

    // --- content type ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "Application/JSON",
                "application/json; charset=utf-8",
                "application/json;charset=UTF-8",
                "application/merge-patch+json",
                "application/problem+json"
            })
    void requireJsonContentType_acceptsJsonMediaTypes(String type) {
        assertThatCode(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                .header("Content-Type", type)
                                .build())
                        .requireJsonContentType())
                .doesNotThrowAnyException();
    }

    @Test
    void requireJsonContentType_acceptsAMissingHeader() {
        assertThatCode(() -> new HttpRequest(ApiGatewayEvent.post("/x").build()).requireJsonContentType())
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "text/json",
                "application/jsonp",
                "application/json-seq",
                "+json"
            })
    void requireJsonContentType_refusesOtherTypesWith415(String type) {
        Problem p = refusal(() -> new HttpRequest(
                        ApiGatewayEvent.post("/x").header("content-type", type).build())
                .requireJsonContentType());

        assertThat(p.type()).isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
        assertThat(p.status()).isEqualTo(415);
    }

    // --- buyer ----------------------------------------------------------------------------------------------------

    @Test
    void buyerId_comesFromTheJwtSubject() {
        HttpRequest r = new HttpRequest(ApiGatewayEvent.post("/x")
                .jwtSubject("5f0c7a2e-1b7d-4c8e-9a51-0d9e0b1f2a3c")
                .build());

        assertThat(r.buyerId(false)).isEqualTo("5f0c7a2e-1b7d-4c8e-9a51-0d9e0b1f2a3c");
        assertThat(r.buyerId(true)).isEqualTo("5f0c7a2e-1b7d-4c8e-9a51-0d9e0b1f2a3c");
    }

    @Test
    void buyerId_prefersTheJwtOverTheDevHeader() {
        HttpRequest r = new HttpRequest(ApiGatewayEvent.post("/x")
                .jwtSubject("jwt-user")
                .header("X-Buyer-Id", "header-user")
                .build());

        assertThat(r.buyerId(true)).isEqualTo("jwt-user");
    }

    @Test
    void buyerId_takesTheDevHeaderOnlyInDevMode() {
        HttpRequest r = new HttpRequest(
                ApiGatewayEvent.post("/x").header("X-Buyer-Id", "u-1").build());

        assertThat(r.buyerId(true)).isEqualTo("u-1");
        Problem p = refusal(() -> r.buyerId(false));
        assertThat(p.type()).isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(p.status()).isEqualTo(401);
    }

    @Test
    void buyerId_refusesWith401WhenThereIsNoBuyer() {
        for (boolean devMode : new boolean[] {true, false}) {
            Problem p = refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x").build()).buyerId(devMode));
            assertThat(p.type()).isEqualTo(ProblemType.UNAUTHENTICATED);
            assertThat(p.status()).isEqualTo(401);
        }
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .jwtSubject("")
                                        .build())
                                .buyerId(false))
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .header("X-Buyer-Id", "")
                                        .build())
                                .buyerId(true))
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\there", "new\nline", "nul\u0000", "del\u007F", "é", "☃"})
    void buyerId_refusesNonPrintableOrNonAsciiIds(String buyer) {
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .jwtSubject(buyer)
                                        .build())
                                .buyerId(false))
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .header("X-Buyer-Id", buyer)
                                        .build())
                                .buyerId(true))
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
    }

    @Test
    void buyerId_acceptsUpTo128Characters() {
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .jwtSubject("b".repeat(128))
                                .build())
                        .buyerId(false))
                .hasSize(128);
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .jwtSubject("b".repeat(129))
                                        .build())
                                .buyerId(false))
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
    }

    // --- path ids -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"s", "sale-42", "SALE_42", "01JD4Z2K8V0000000000000000"})
    void idParameter_acceptsLettersDigitsDashAndUnderscore(String id) {
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .pathParameter("saleId", id)
                                .build())
                        .idParameter("saleId", ProblemType.INVALID_SALE_ID))
                .isEqualTo(id);
        assertThat(new HttpRequest(ApiGatewayEvent.post("/x")
                                .pathParameter("saleId", "a".repeat(64))
                                .build())
                        .idParameter("saleId", ProblemType.INVALID_SALE_ID))
                .hasSize(64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sale 42", "sale/42", "sale.42", "sale%2F42", "é", "../etc", "sale-42\n"})
    void idParameter_refusesAnythingElseWithTheGivenProblem(String id) {
        Problem p = refusal(() -> new HttpRequest(
                        ApiGatewayEvent.post("/x").pathParameter("saleId", id).build())
                .idParameter("saleId", ProblemType.INVALID_SALE_ID));

        assertThat(p.type()).isEqualTo(ProblemType.INVALID_SALE_ID);
        assertThat(p.detail()).contains("saleId");
    }

    @Test
    void idParameter_refusesMissingAndOverlongIds() {
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x").build())
                                .idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID))
                        .type())
                .isEqualTo(ProblemType.INVALID_RESERVATION_ID);
        assertThat(refusal(() -> new HttpRequest(ApiGatewayEvent.post("/x")
                                        .pathParameter("reservationId", "a".repeat(65))
                                        .build())
                                .idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID))
                        .type())
                .isEqualTo(ProblemType.INVALID_RESERVATION_ID);
        APIGatewayV2HTTPEvent noParams = new APIGatewayV2HTTPEvent();
        assertThat(refusal(() -> new HttpRequest(noParams).idParameter("saleId", ProblemType.INVALID_SALE_ID))
                        .type())
                .isEqualTo(ProblemType.INVALID_SALE_ID);
    }

    // --- request line ---------------------------------------------------------------------------------------------

    @Test
    void methodPathAndRequestId_comeFromTheEvent() {
        HttpRequest r = new HttpRequest(ApiGatewayEvent.post("/sales/s1/reservations")
                .requestId("req-1")
                .build());

        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/sales/s1/reservations");
        assertThat(r.requestId()).isEqualTo("req-1");

        APIGatewayV2HTTPEvent bare = new APIGatewayV2HTTPEvent();
        bare.setRouteKey("GET /sales/{saleId}");
        assertThat(new HttpRequest(bare).method()).isEqualTo("GET");
        assertThat(new HttpRequest(bare).path()).isEmpty();
    }
}

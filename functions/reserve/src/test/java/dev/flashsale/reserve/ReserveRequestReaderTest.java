package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.flashsale.admission.TicketKey;
import dev.flashsale.admission.Tickets;
import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.reservation.ReserveRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReserveRequestReaderTest {

    private static final int MAX_BODY = 1024;
    private static final String BUYER = "5f0c7a2e-1b7d-4c8e-9a51-0d9e0b1f2a3c";
    private static final String KEY = "0b6f1c1e-2d4a-4c5e-8f7a-9b0c1d2e3f40";

    private final ReserveRequestReader reader = reader(false);

    private static ReserveRequestReader reader(boolean devMode) {
        return new ReserveRequestReader(
                devMode, MAX_BODY, new Tickets(TicketKey.of("reader-test-key-0123456789")), Clock.systemUTC());
    }

    /** A valid POST /sales/sale-42/reservations, as API Gateway hands it over; each case breaks one thing. */
    static final class Req {
        final APIGatewayV2HTTPEvent event = ApiGatewayEvent.post("/sales/sale-42/reservations")
                .route("/sales/{saleId}/reservations")
                .requestId("req-1")
                .pathParameter("saleId", "sale-42")
                .jwtSubject(BUYER)
                .header("content-type", "application/json")
                .header("idempotency-key", KEY)
                .body("{\"quantity\": 2}")
                .build();
        // the built event's own (mutable) maps: a case breaks one thing in them
        final Map<String, String> headers = event.getHeaders();
        final Map<String, String> pathParameters = event.getPathParameters();
        final Map<String, String> claims =
                event.getRequestContext().getAuthorizer().getJwt().getClaims();

        Req body(String body) {
            event.setBody(body);
            event.setIsBase64Encoded(false);
            return this;
        }

        Req base64Body(String body) {
            event.setBody(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));
            event.setIsBase64Encoded(true);
            return this;
        }

        Req rawBase64Body(String encoded) {
            event.setBody(encoded);
            event.setIsBase64Encoded(true);
            return this;
        }

        Req header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Req withoutHeader(String name) {
            headers.remove(name);
            return this;
        }

        Req saleId(String saleId) {
            pathParameters.put("saleId", saleId);
            return this;
        }

        HttpRequest http() {
            return new HttpRequest(event);
        }
    }

    private static Arguments bad(String name, UnaryOperator<Req> breakIt, ProblemType expected) {
        return Arguments.of(name, breakIt, expected);
    }

    private static Arguments badBody(String body, ProblemType expected) {
        return bad("body " + (body.length() > 40 ? body.substring(0, 40) + "…" : body), r -> r.body(body), expected);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // JSON
                badBody("{\"quantity\": }", ProblemType.INVALID_REQUEST),
                badBody("{quantity: 1}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 1", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 1} {}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 1, \"quantity\": 2}", ProblemType.INVALID_REQUEST),
                badBody("[{\"quantity\": 1}]", ProblemType.INVALID_REQUEST),
                badBody("\"quantity\"", ProblemType.INVALID_REQUEST),
                badBody(
                        "{\"quantity\": " + "{\"a\":".repeat(20) + "1" + "}".repeat(20) + "}",
                        ProblemType.INVALID_REQUEST),
                // quantity of the wrong type
                badBody("{\"quantity\": \"2\"}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 1.5}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 2.0}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": 1e3}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": true}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": null}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": {\"n\": 1}}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": [1]}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": +1}", ProblemType.INVALID_REQUEST),
                badBody("{\"quantity\": " + "9".repeat(65) + "}", ProblemType.INVALID_REQUEST),
                // quantity out of range
                badBody("{\"quantity\": 0}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": -0}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": -1}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": 10001}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": 2147483647}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": 2147483648}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": -2147483649}", ProblemType.INVALID_QUANTITY),
                badBody("{\"quantity\": 99999999999999999999999999999999}", ProblemType.INVALID_QUANTITY),
                // fields
                badBody("{\"quantity\": 1, \"price\": 0}", ProblemType.INVALID_REQUEST),
                badBody("{\"Quantity\": 1}", ProblemType.INVALID_REQUEST),
                badBody("{}", ProblemType.INVALID_REQUEST),
                badBody("", ProblemType.INVALID_REQUEST),
                badBody("  \n ", ProblemType.INVALID_REQUEST),
                bad("no body at all", r -> r.body(null), ProblemType.INVALID_REQUEST),
                bad(
                        "base64 body that is not base64",
                        r -> r.rawBase64Body("{\"quantity\": 1}"),
                        ProblemType.INVALID_REQUEST),
                bad(
                        "base64 body that is not UTF-8",
                        r -> r.rawBase64Body(Base64.getEncoder().encodeToString(new byte[] {'{', (byte) 0xFF, '}'})),
                        ProblemType.INVALID_REQUEST),
                // Idempotency-Key
                bad(
                        "missing Idempotency-Key",
                        r -> r.withoutHeader("idempotency-key"),
                        ProblemType.MISSING_IDEMPOTENCY_KEY),
                bad("empty Idempotency-Key", r -> r.header("idempotency-key", ""), ProblemType.MISSING_IDEMPOTENCY_KEY),
                bad(
                        "blank Idempotency-Key",
                        r -> r.header("idempotency-key", "   "),
                        ProblemType.MISSING_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key of 129 characters",
                        r -> r.header("idempotency-key", "k".repeat(129)),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "quoted Idempotency-Key of 129 characters",
                        r -> r.header("idempotency-key", "\"" + "k".repeat(129) + "\""),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "non-ASCII Idempotency-Key",
                        r -> r.header("idempotency-key", "clé-1"),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key with a space",
                        r -> r.header("idempotency-key", "key 1"),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key with a tab",
                        r -> r.header("idempotency-key", "key\t1"),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key with a control character",
                        r -> r.header("idempotency-key", "key\u00011"),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "quoted empty Idempotency-Key",
                        r -> r.header("idempotency-key", "\"\""),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "quoted Idempotency-Key with a space",
                        r -> r.header("idempotency-key", "\"key 1\""),
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                // sale id
                bad("sale id with a space", r -> r.saleId("sale 42"), ProblemType.INVALID_SALE_ID),
                bad("sale id with a slash", r -> r.saleId("sale/42"), ProblemType.INVALID_SALE_ID),
                bad("sale id of 65 characters", r -> r.saleId("s".repeat(65)), ProblemType.INVALID_SALE_ID),
                bad("empty sale id", r -> r.saleId(""), ProblemType.INVALID_SALE_ID),
                bad(
                        "no sale id",
                        r -> {
                            r.pathParameters.clear();
                            return r;
                        },
                        ProblemType.INVALID_SALE_ID),
                // buyer
                bad(
                        "no JWT",
                        r -> {
                            r.event.getRequestContext().setAuthorizer(null);
                            return r;
                        },
                        ProblemType.UNAUTHENTICATED),
                bad(
                        "no JWT, X-Buyer-Id outside dev mode",
                        r -> {
                            r.claims.clear();
                            return r.header("x-buyer-id", "u-1");
                        },
                        ProblemType.UNAUTHENTICATED),
                bad(
                        "JWT sub with a space",
                        r -> {
                            r.claims.put("sub", "u 1");
                            return r;
                        },
                        ProblemType.UNAUTHENTICATED),
                // size and type
                bad(
                        "body over the limit",
                        r -> r.body("{\"quantity\": 1" + " ".repeat(MAX_BODY) + "}"),
                        ProblemType.BODY_TOO_LARGE),
                bad(
                        "base64 body over the limit",
                        r -> r.base64Body("{\"quantity\": 1" + " ".repeat(MAX_BODY) + "}"),
                        ProblemType.BODY_TOO_LARGE),
                bad("text/plain", r -> r.header("content-type", "text/plain"), ProblemType.UNSUPPORTED_MEDIA_TYPE),
                bad(
                        "form",
                        r -> r.header("content-type", "application/x-www-form-urlencoded"),
                        ProblemType.UNSUPPORTED_MEDIA_TYPE));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("malformed")
    void read_refusesMalformedRequestsWithTheRightProblem(
            String name, UnaryOperator<Req> breakIt, ProblemType expected) {
        HttpRequest http = breakIt.apply(new Req()).http();

        ProblemException e = catchThrowableOfType(ProblemException.class, () -> reader.read(http));

        assertThat(e).as(name).isNotNull();
        assertThat(e.problem().type()).as(name).isEqualTo(expected);
        assertThat(e.problem().status()).isEqualTo(expected.status()).isBetween(400, 499);
        assertThat(e.problem().detail()).isNotBlank().doesNotContain("Exception", "com.fasterxml", "`");
    }

    @Test
    void theTableHasAtLeastTwentyCases() {
        assertThat(malformed().count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void read_parsesAValidPlainBody() {
        assertThat(reader.read(new Req().http())).isEqualTo(new ReserveRequest("sale-42", BUYER, KEY, 2));
    }

    @Test
    void read_parsesAValidBase64Body() {
        assertThat(reader.read(new Req().base64Body("{\"quantity\": 3}").http()))
                .isEqualTo(new ReserveRequest("sale-42", BUYER, KEY, 3));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 9_999, ReserveRequestReader.MAX_QUANTITY})
    void read_acceptsQuantitiesFromOneToTheMaximum(int quantity) {
        assertThat(reader.read(new Req().body("{\"quantity\":" + quantity + "}").http())
                        .quantity())
                .isEqualTo(quantity);
    }

    @Test
    void read_acceptsAQuotedKeyAndStripsTheQuotes() {
        assertThat(reader.read(new Req()
                                .header("idempotency-key", "\"" + KEY + "\"")
                                .http())
                        .idempotencyKey())
                .isEqualTo(KEY);
    }

    @Test
    void read_acceptsKeysUpTo128PrintableCharactersAndTrimsThem() {
        String longest = "k".repeat(dev.flashsale.http.IdempotencyKey.MAX_LENGTH);
        assertThat(reader.read(new Req().header("idempotency-key", longest).http())
                        .idempotencyKey())
                .isEqualTo(longest);
        assertThat(reader.read(new Req()
                                .header("idempotency-key", "\"" + longest + "\"")
                                .http())
                        .idempotencyKey())
                .isEqualTo(longest);
        assertThat(reader.read(new Req()
                                .header("idempotency-key", "  " + KEY + " ")
                                .http())
                        .idempotencyKey())
                .isEqualTo(KEY);
        assertThat(reader.read(new Req()
                                .header("idempotency-key", "a!#$%&'*+.^_`|~:/?=@[]{}")
                                .http())
                        .idempotencyKey())
                .isEqualTo("a!#$%&'*+.^_`|~:/?=@[]{}");
    }

    @Test
    void read_findsHeadersWhateverTheirCase() {
        Req r = new Req()
                .withoutHeader("idempotency-key")
                .withoutHeader("content-type")
                .header("Idempotency-Key", KEY)
                .header("Content-Type", "text/plain");

        assertThat(catchThrowableOfType(ProblemException.class, () -> reader.read(r.http()))
                        .problem()
                        .type())
                .isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
        assertThat(reader.read(r.header("Content-Type", "application/json").http())
                        .idempotencyKey())
                .isEqualTo(KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON;charset=UTF-8"})
    void read_acceptsJsonContentTypes(String type) {
        assertThat(reader.read(new Req().header("content-type", type).http()).quantity())
                .isEqualTo(2);
    }

    @Test
    void read_acceptsAMissingContentType() {
        assertThat(reader.read(new Req().withoutHeader("content-type").http()).quantity())
                .isEqualTo(2);
    }

    @Test
    void read_takesTheBuyerFromXBuyerIdOnlyInDevMode() {
        Req r = new Req().header("x-buyer-id", "dev-buyer");
        r.claims.clear();

        assertThat(reader(true).read(r.http()).buyerId()).isEqualTo("dev-buyer");
        assertThat(catchThrowableOfType(ProblemException.class, () -> reader.read(r.http()))
                        .problem()
                        .type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
    }

    @Test
    void read_prefersTheJwtBuyerEvenInDevMode() {
        Req r = new Req().header("x-buyer-id", "someone-else");

        assertThat(reader(true).read(r.http()).buyerId()).isEqualTo(BUYER);
    }

    @Test
    void read_acceptsABodyOfExactlyTheLimit() {
        String body = "{\"quantity\": 1" + " ".repeat(MAX_BODY - 15) + "}";
        assertThat(body).hasSize(MAX_BODY);

        assertThat(reader.read(new Req().body(body).http()).quantity()).isEqualTo(1);
        assertThat(reader.read(new Req().base64Body(body).http()).quantity()).isEqualTo(1);
    }

    @Test
    void read_refusesAnOversizedBodyNamingTheLimit() {
        Req r = new Req().body("{\"quantity\": 1" + " ".repeat(MAX_BODY) + "}");

        ProblemException e = catchThrowableOfType(ProblemException.class, () -> reader.read(r.http()));

        assertThat(e.problem().status()).isEqualTo(413);
        assertThat(e.problem().extensions()).containsEntry("maxBytes", MAX_BODY);
    }

    @Test
    void read_namesTheWrongQuantityTypeInTheDetail() {
        Map<String, String> expected = Map.of(
                "\"2\"",
                "a string",
                "1.5",
                "a decimal number",
                "true",
                "a boolean",
                "null",
                "null",
                "{}",
                "an object",
                "[]",
                "an array");
        expected.forEach((json, words) -> {
            ProblemException e = catchThrowableOfType(
                    ProblemException.class,
                    () -> reader.read(
                            new Req().body("{\"quantity\": " + json + "}").http()));
            assertThat(e.problem().detail()).as(json).isEqualTo("quantity must be an integer, was " + words);
        });
    }

    @Test
    void read_saysTheAllowedRangeForAnOutOfRangeQuantity() {
        ProblemException e = catchThrowableOfType(
                ProblemException.class,
                () -> reader.read(new Req().body("{\"quantity\": 10001}").http()));

        assertThat(e.problem().detail()).contains("1", "10000", "10001");
    }
}

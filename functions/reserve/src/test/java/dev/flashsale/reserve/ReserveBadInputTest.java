package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.RedisSnapshot;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestSales;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of malformed request gets its precise 4xx problem and changes nothing: the sale's Redis keys and the
 * buyer's rate bucket are byte-for-byte the same afterwards, and nothing is queued.
 */
class ReserveBadInputTest {

    private static final String BUYER = "buyer-bad-input";
    private static ReserveFixture fx;
    private static Sale sale;

    @BeforeAll
    static void start() {
        fx = ReserveFixture.create(Map.of());
        sale = TestSales.seed(fx.redis, TestSales.live(10, 4, 2));
        // one real reservation so that the snapshot has holds, units and an idempotency entry to protect
        assertThat(fx.reserve(sale.id(), BUYER, "existing", 1).getStatusCode()).isEqualTo(201);
        TestQueue.drain(fx.queueUrl);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("malformed JSON", body("{\"quantity\":"), 400, ProblemType.INVALID_REQUEST),
                bad("JSON array instead of object", body("[1]"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity as string", body("{\"quantity\":\"2\"}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity as decimal", body("{\"quantity\":1.5}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity in exponent form", body("{\"quantity\":1e0}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity as boolean", body("{\"quantity\":true}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity null", body("{\"quantity\":null}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity as object", body("{\"quantity\":{\"n\":1}}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity as array", body("{\"quantity\":[1]}"), 400, ProblemType.INVALID_REQUEST),
                bad("quantity zero", body("{\"quantity\":0}"), 400, ProblemType.INVALID_QUANTITY),
                bad("quantity negative", body("{\"quantity\":-1}"), 400, ProblemType.INVALID_QUANTITY),
                bad("quantity above the absolute max", body("{\"quantity\":10001}"), 400, ProblemType.INVALID_QUANTITY),
                bad("quantity above int range", body("{\"quantity\":2147483648}"), 400, ProblemType.INVALID_QUANTITY),
                bad(
                        "quantity huge integer",
                        body("{\"quantity\":99999999999999999999999}"),
                        400,
                        ProblemType.INVALID_QUANTITY),
                bad(
                        "quantity above the sale's per-order max",
                        body("{\"quantity\":3}"),
                        400,
                        ProblemType.INVALID_QUANTITY),
                bad("unknown field", body("{\"quantity\":1,\"qty\":1}"), 400, ProblemType.INVALID_REQUEST),
                bad("missing quantity", body("{}"), 400, ProblemType.INVALID_REQUEST),
                bad("empty body", body(""), 400, ProblemType.INVALID_REQUEST),
                bad("no body", e -> e.setBody(null), 400, ProblemType.INVALID_REQUEST),
                bad("duplicate key", body("{\"quantity\":1,\"quantity\":2}"), 400, ProblemType.INVALID_REQUEST),
                bad("trailing content", body("{\"quantity\":1} {}"), 400, ProblemType.INVALID_REQUEST),
                bad(
                        "invalid base64 body",
                        e -> {
                            e.setBody("%%%not-base64%%%");
                            e.setIsBase64Encoded(true);
                        },
                        400,
                        ProblemType.INVALID_REQUEST),
                bad(
                        "invalid UTF-8 body",
                        e -> {
                            e.setBody(Base64.getEncoder()
                                    .encodeToString(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
                            e.setIsBase64Encoded(true);
                        },
                        400,
                        ProblemType.INVALID_REQUEST),
                bad(
                        "body too large",
                        body("{\"quantity\":1" + " ".repeat(2000) + "}"),
                        413,
                        ProblemType.BODY_TOO_LARGE),
                bad(
                        "wrong content type",
                        header("content-type", "text/plain"),
                        415,
                        ProblemType.UNSUPPORTED_MEDIA_TYPE),
                bad(
                        "missing Idempotency-Key",
                        e -> e.getHeaders().remove("idempotency-key"),
                        400,
                        ProblemType.MISSING_IDEMPOTENCY_KEY),
                bad(
                        "blank Idempotency-Key",
                        header("idempotency-key", "   "),
                        400,
                        ProblemType.MISSING_IDEMPOTENCY_KEY),
                bad(
                        "oversized Idempotency-Key",
                        header("idempotency-key", "k".repeat(129)),
                        400,
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key with a space",
                        header("idempotency-key", "two words"),
                        400,
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad(
                        "Idempotency-Key not ASCII",
                        header("idempotency-key", "clé"),
                        400,
                        ProblemType.INVALID_IDEMPOTENCY_KEY),
                bad("sale id with forbidden characters", saleId("sale{42}"), 400, ProblemType.INVALID_SALE_ID),
                bad("sale id too long", saleId("s".repeat(65)), 400, ProblemType.INVALID_SALE_ID),
                bad(
                        "no authenticated buyer",
                        e -> e.getRequestContext().setAuthorizer(null),
                        401,
                        ProblemType.UNAUTHENTICATED),
                bad(
                        "X-Buyer-Id outside dev mode",
                        e -> {
                            e.getRequestContext().setAuthorizer(null);
                            e.getHeaders().put("x-buyer-id", BUYER);
                        },
                        401,
                        ProblemType.UNAUTHENTICATED),
                bad("unknown sale", saleId("no-such-sale"), 404, ProblemType.SALE_NOT_FOUND));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequest_getsItsProblemAndChangesNothing(
            String name, Consumer<APIGatewayV2HTTPEvent> spoil, int status, ProblemType type) {
        APIGatewayV2HTTPEvent event =
                HttpApi.reserve(sale.id(), BUYER, "fresh-key-" + name.hashCode(), "{\"quantity\":1}");
        spoil.accept(event);
        String targetSale = event.getPathParameters().get("saleId");
        List<String> extra = List.of(new SaleKeys(sale.id()).rateBucket(BUYER));
        Map<String, Object> before = RedisSnapshot.of(fx.redis, sale.id(), extra);

        APIGatewayV2HTTPResponse response = fx.invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("content-type", HttpResponses.PROBLEM_JSON);
        Map<String, Object> problem = HttpApi.body(response);
        assertThat(problem)
                .containsEntry("type", type.uri())
                .containsEntry("status", status)
                .containsEntry("title", type.title());
        assertThat((String) problem.get("detail"))
                .isNotBlank()
                .doesNotContain("Exception")
                .doesNotContain("at dev.");
        assertThat(RedisSnapshot.of(fx.redis, sale.id(), extra)).isEqualTo(before);
        if (!targetSale.equals(sale.id()) && targetSale.matches("[A-Za-z0-9_-]{1,64}")) {
            assertThat(RedisSnapshot.of(fx.redis, targetSale, List.of()).values())
                    .containsOnlyNulls();
        }
        assertThat(TestQueue.drain(fx.queueUrl)).isEmpty();
    }

    private static Arguments bad(String name, Consumer<APIGatewayV2HTTPEvent> spoil, int status, ProblemType type) {
        return Arguments.of(name, spoil, status, type);
    }

    private static Consumer<APIGatewayV2HTTPEvent> body(String body) {
        return e -> e.setBody(body);
    }

    private static Consumer<APIGatewayV2HTTPEvent> header(String name, String value) {
        return e -> e.getHeaders().put(name, value);
    }

    private static Consumer<APIGatewayV2HTTPEvent> saleId(String saleId) {
        return e -> e.setPathParameters(Map.of("saleId", saleId));
    }
}

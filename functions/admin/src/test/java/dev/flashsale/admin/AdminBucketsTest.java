package dev.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ProblemType;
import dev.flashsale.json.Json;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A sale split into stock buckets through the admin API: created, validated, shown per bucket once loaded. */
class AdminBucketsTest {

    private static final String TOKEN = "local-admin-token-0123456789";
    private static AdminInvoker admin;
    private static DbConnection db;
    private static RedisConnection redis;

    @BeforeAll
    static void start() {
        admin = AdminInit.from(Config.of(TestStack.environment(Map.of("DEV_MODE", "true", "ADMIN_TOKEN", TOKEN))))
                .invoker();
        db = TestDatabase.connect();
        redis = TestRedis.connect();
    }

    @AfterAll
    static void stop() {
        db.close();
        redis.close();
    }

    private static String newId() {
        return "bkt-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static APIGatewayV2HTTPResponse create(String body) {
        return admin.handleRequest(
                AdminApiTest.request("POST", "/admin/sales", "/admin/sales", Map.of(), body, "Bearer " + TOKEN),
                Lambda.context());
    }

    private static APIGatewayV2HTTPResponse get(String saleId) {
        return admin.handleRequest(
                AdminApiTest.request(
                        "GET",
                        "/admin/sales/{saleId}",
                        "/admin/sales/" + saleId,
                        Map.of("saleId", saleId),
                        null,
                        "Bearer " + TOKEN),
                Lambda.context());
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse r) {
        return Json.readObject(r.getBody());
    }

    /** Loads the sale from the database into Redis, as prewarm or the first reservation would. */
    private static void load(String saleId) {
        new SaleCache(redis, Duration.ofHours(1))
                .load(new SaleRepository(db).find(saleId).orElseThrow().sale());
    }

    @Test
    void aSaleOfFourBuckets_keepsThem_andShowsEachBucketsUnitsOnceLoaded() {
        String id = newId();
        String json = AdminApiTest.saleJson(id, Map.of("stock", 10, "buckets", 4));

        APIGatewayV2HTTPResponse created = create(json);
        assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(201);
        assertThat(body(created)).containsEntry("buckets", 4).doesNotContainKey("perBucket");
        assertThat(new SaleRepository(db).find(id).orElseThrow().sale().buckets())
                .isEqualTo(4);

        // the same body again is a replay; another bucket count (or none: 1) is another definition
        assertThat(create(json).getStatusCode()).isEqualTo(200);
        assertThat(create(AdminApiTest.saleJson(id, Map.of("stock", 10, "buckets", 2)))
                        .getStatusCode())
                .isEqualTo(409);
        assertThat(create(AdminApiTest.saleJson(id, Map.of("stock", 10))).getStatusCode())
                .isEqualTo(409);

        load(id);
        for (SaleKeys k : Buckets.all(id, 4)) {
            assertThat(redis.client().exists(k.stock()))
                    .as("bucket %d's counter", k.bucket())
                    .isTrue();
            assertThat(redis.client().hget(k.meta(), "buckets")).isEqualTo("4");
        }
        Map<String, Object> view = body(get(id));
        assertThat(view)
                .containsEntry("buckets", 4)
                .containsEntry("loaded", true)
                .containsEntry("available", 10);
        assertThat(view.get("perBucket"))
                .as("shares of 10 over 4: the first buckets take the remainder")
                .isEqualTo(List.of(
                        Map.of("bucket", 0, "available", 3, "allot", 3),
                        Map.of("bucket", 1, "available", 3, "allot", 3),
                        Map.of("bucket", 2, "available", 2, "allot", 2),
                        Map.of("bucket", 3, "available", 2, "allot", 2)));
    }

    @Test
    void aSaleOfOneBucket_saysSo_withoutAPerBucketList() {
        String id = newId();
        assertThat(body(create(AdminApiTest.saleJson(id, Map.of())))).containsEntry("buckets", 1);
        load(id);
        assertThat(body(get(id))).containsEntry("buckets", 1).doesNotContainKey("perBucket");
        assertThat(redis.client().exists(new SaleKeys(id, 1).stock())).isFalse();
    }

    static Stream<Arguments> badBuckets() {
        return Stream.of(
                Arguments.of("a string", Map.of("buckets", "4"), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("a decimal", Map.of("buckets", 2.5), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("a boolean", Map.of("buckets", true), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("0", Map.of("buckets", 0), 422, ProblemType.INVALID_SALE),
                Arguments.of("negative", Map.of("buckets", -2), 422, ProblemType.INVALID_SALE),
                Arguments.of("17", Map.of("buckets", 17), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "beyond long",
                        Map.of("buckets", new java.math.BigInteger("123456789012345678901234567890")),
                        422,
                        ProblemType.INVALID_SALE),
                Arguments.of(
                        "several with a ticketed sale",
                        Map.of("buckets", 2, "admission", "ticketed"),
                        422,
                        ProblemType.INVALID_SALE));
    }

    @ParameterizedTest(name = "buckets {0} -> {2} {3}")
    @MethodSource("badBuckets")
    void create_refusesBadBuckets_namingTheField_andWritesNothing(
            String name, Map<String, Object> overrides, int status, ProblemType type) {
        String id = newId();
        APIGatewayV2HTTPResponse r = create(AdminApiTest.saleJson(id, new HashMap<>(overrides)));

        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
        assertThat(r.getHeaders()).containsEntry("content-type", "application/problem+json");
        Map<String, Object> problem = body(r);
        assertThat(problem.get("type")).isEqualTo(type.uri());
        if (type == ProblemType.INVALID_SALE) {
            assertThat((List<?>) problem.get("errors"))
                    .singleElement()
                    .satisfies(e -> assertThat(((Map<?, ?>) e).get("field")).isEqualTo("buckets"));
        } else {
            assertThat((String) problem.get("detail")).contains("'buckets'");
        }
        assertThat(new SaleRepository(db).find(id)).isEmpty();
        assertThat(redis.client().exists(new SaleKeys(id).meta())).isFalse();
    }

    @Test
    void aTicketedSaleOfOneBucket_isFine() {
        String id = newId();
        APIGatewayV2HTTPResponse r = create(AdminApiTest.saleJson(id, Map.of("buckets", 1, "admission", "ticketed")));
        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(201);
        assertThat(body(r)).containsEntry("buckets", 1).containsEntry("admission", "ticketed");
    }
}

package dev.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.json.Json;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.testing.FaultProxy;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adding stock is applied once: the database connection retries a transaction whose COMMIT reply was lost (the
 * database did commit), and an admin may repeat a request with its Idempotency-Key.
 */
class AddStockRetryTest {

    private static final String TOKEN = "local-admin-token-0123456789";
    private FaultProxy dbProxy;
    private TestStack stack;
    private AdminInvoker admin;

    @BeforeEach
    void start() {
        int pgPort = Integer.parseInt(TestDatabase.settings().url().replaceFirst(".*//[^:/]+:(\\d+)/.*", "$1"));
        dbProxy = new FaultProxy("127.0.0.1", pgPort);
        stack = TestStack.create();
        Map<String, String> env = new HashMap<>();
        env.put("DEV_MODE", "true");
        env.put("ADMIN_TOKEN", TOKEN);
        env.put("REDIS_URL", dev.flashsale.testing.TestRedis.url());
        env.put("REDIS_CLUSTER_MODE", Boolean.toString(dev.flashsale.testing.TestRedis.cluster()));
        env.put(
                "DATABASE_URL",
                TestDatabase.settings().url().replaceFirst("//[^/]+/", "//127.0.0.1:" + dbProxy.port() + "/"));
        env.put("DB_USER", TestDatabase.settings().user());
        env.put("DB_PASSWORD", TestDatabase.settings().password());
        admin = AdminInit.from(Config.of(env)).invoker();
    }

    @AfterEach
    void stop() {
        dbProxy.close();
        stack.close();
    }

    private Sale loadedSaleStartingInAnHour(int stock) {
        Instant start = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Sale sale = new Sale(
                "add-" + UUID.randomUUID().toString().substring(0, 12),
                stock,
                2,
                2,
                start,
                start.plus(Duration.ofHours(1)));
        new SaleRepository(stack.db).create(sale, 1999, "USD");
        new SaleSync(stack.redis, new SaleRepository(stack.db), Duration.ofDays(1)).loadIfAbsent(sale.id());
        return sale;
    }

    private APIGatewayV2HTTPResponse addStock(String saleId, int units, String idempotencyKey) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        headers.put("authorization", "Bearer " + TOKEN);
        if (idempotencyKey != null) {
            headers.put("idempotency-key", idempotencyKey);
        }
        return admin.handleRequest(
                HttpApi.request("POST", "/admin/sales/{saleId}/stock", "/admin/sales/" + saleId + "/stock", null)
                        .pathParameter("saleId", saleId)
                        .headers(headers)
                        .body("{\"add\":" + units + "}")
                        .build(),
                Lambda.context());
    }

    private int databaseStock(String saleId) {
        return new SaleRepository(stack.db).find(saleId).orElseThrow().sale().stock();
    }

    private String redisStock(String saleId) {
        SaleKeys k = new SaleKeys(saleId);
        return stack.redis.call(c -> c.hget(k.meta(), "stock")) + "/" + stack.redis.call(c -> c.get(k.stock()));
    }

    @Test
    void aLostCommitReply_isRetriedByTheConnection_butTheStockIsAddedOnce() throws Exception {
        // Regression (issue 12, item 5): {"add":50} on 100 left 200 in the database and in Redis
        Sale sale = loadedSaleStartingInAnHour(100);

        // the COMMIT reaches PostgreSQL and commits; its reply is lost and the connection reset, so the driver retries
        CountDownLatch lost = dbProxy.loseReplyTo("COMMIT\0", FaultProxy.Mode.PASS);
        APIGatewayV2HTTPResponse answer = addStock(sale.id(), 50, null);

        assertThat(lost.await(1, TimeUnit.SECONDS))
                .as("a COMMIT reply was lost")
                .isTrue();
        assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(200);
        assertThat(Json.readObject(answer.getBody())).containsEntry("stock", 150);
        assertThat(databaseStock(sale.id())).isEqualTo(150);
        assertThat(redisStock(sale.id())).isEqualTo("150/150");
    }

    @Test
    void theSameIdempotencyKey_addsOnce_andWithOtherUnitsIsRefused() {
        Sale sale = loadedSaleStartingInAnHour(100);

        assertThat(addStock(sale.id(), 10, "op-1").getStatusCode()).isEqualTo(200);
        APIGatewayV2HTTPResponse again = addStock(sale.id(), 10, "op-1");
        APIGatewayV2HTTPResponse otherUnits = addStock(sale.id(), 20, "op-1");
        assertThat(addStock(sale.id(), 5, "op-2").getStatusCode()).isEqualTo(200);

        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(Json.readObject(again.getBody())).containsEntry("stock", 110);
        assertThat(otherUnits.getStatusCode()).isEqualTo(422);
        assertThat(Json.readObject(otherUnits.getBody()))
                .containsEntry("type", dev.flashsale.http.ProblemType.IDEMPOTENCY_KEY_REUSED.uri())
                .containsEntry("unitsAdded", 10);
        assertThat(databaseStock(sale.id())).isEqualTo(115);
        assertThat(redisStock(sale.id())).isEqualTo("115/115");
    }
}

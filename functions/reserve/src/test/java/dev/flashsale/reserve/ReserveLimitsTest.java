package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ProblemType;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestSales;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token bucket, sale window and stock edges, against the real Redis clock. */
class ReserveLimitsTest {

    private static ReserveFixture fx;

    @BeforeAll
    static void start() {
        // burst 3, one token every 250 ms
        fx = ReserveFixture.create(Map.of("RATE_LIMIT_BURST", "3", "RATE_LIMIT_PER_SECOND", "4"));
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    @Test
    void tokenBucket_refusesAfterTheBurstThenAdmitsAgainAfterRefill() throws Exception {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(100, 100, 1));

        // Step 1: the burst of 3 is admitted
        for (int i = 0; i < 3; i++) {
            assertThat(fx.reserve(sale.id(), "eager", "k" + i, 1).getStatusCode())
                    .isEqualTo(201);
        }
        // Step 2: the 4th is refused with 429 and Retry-After, and takes no stock
        APIGatewayV2HTTPResponse limited = fx.reserve(sale.id(), "eager", "k3", 1);
        assertThat(limited.getStatusCode()).isEqualTo(429);
        assertThat(limited.getHeaders()).containsEntry("retry-after", "1");
        assertThat(HttpApi.body(limited).get("type")).isEqualTo(ProblemType.RATE_LIMITED.uri());
        assertThat(fx.stock(sale.id())).isEqualTo("97");
        // Step 3: another buyer has a bucket of their own
        assertThat(fx.reserve(sale.id(), "patient", "p0", 1).getStatusCode()).isEqualTo(201);
        // Step 4: after one refill interval the eager buyer gets exactly one more
        Thread.sleep(300);
        assertThat(fx.reserve(sale.id(), "eager", "k4", 1).getStatusCode()).isEqualTo(201);
        assertThat(fx.reserve(sale.id(), "eager", "k5", 1).getStatusCode()).isEqualTo(429);
    }

    @Test
    void window_refusesBeforeStartAndAdmitsFromStart() throws Exception {
        Instant start = Instant.now().plusMillis(400);
        Sale sale =
                TestSales.seed(fx.redis, new Sale(TestSales.newId(), 10, 5, 5, start, start.plus(Duration.ofHours(1))));

        APIGatewayV2HTTPResponse early = fx.reserve(sale.id(), "b", "early", 1);
        assertThat(early.getStatusCode()).isEqualTo(409);
        assertThat(HttpApi.body(early))
                .containsEntry("type", ProblemType.SALE_NOT_STARTED.uri())
                .containsEntry(
                        "startsAt", Instant.ofEpochMilli(start.toEpochMilli()).toString());

        sleepUntil(start.plusMillis(50));
        assertThat(fx.reserve(sale.id(), "b", "on-time", 1).getStatusCode()).isEqualTo(201);
    }

    @Test
    void window_admitsUntilTheEndAndRefusesFromTheEnd() throws Exception {
        Instant end = Instant.now().plusMillis(400);
        Sale sale =
                TestSales.seed(fx.redis, new Sale(TestSales.newId(), 10, 5, 5, end.minus(Duration.ofHours(1)), end));

        assertThat(fx.reserve(sale.id(), "b", "in-time", 1).getStatusCode()).isEqualTo(201);

        sleepUntil(end.plusMillis(50));
        APIGatewayV2HTTPResponse late = fx.reserve(sale.id(), "b", "late", 1);
        assertThat(late.getStatusCode()).isEqualTo(409);
        assertThat(HttpApi.body(late).get("type")).isEqualTo(ProblemType.SALE_ENDED.uri());
        assertThat(fx.stock(sale.id())).isEqualTo("9");
    }

    @Test
    void stock_partialRequestAboveWhatIsLeftIsRefusedWithTheRemainder() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(3, 10, 5));

        assertThat(fx.reserve(sale.id(), "a", "a1", 2).getStatusCode()).isEqualTo(201);
        APIGatewayV2HTTPResponse tooMany = fx.reserve(sale.id(), "b", "b1", 2);

        assertThat(tooMany.getStatusCode()).isEqualTo(409);
        assertThat(HttpApi.body(tooMany))
                .containsEntry("type", ProblemType.SOLD_OUT.uri())
                .containsEntry("remaining", 1);
        assertThat(fx.reserve(sale.id(), "b", "b2", 1).getStatusCode()).isEqualTo(201);
        assertThat(fx.stock(sale.id())).isEqualTo("0");
    }

    @Test
    void idempotencyKey_reusedWithAnotherQuantity_isRefusedWith422AndChangesNothing() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(10, 10, 5));
        APIGatewayV2HTTPResponse first = fx.reserve(sale.id(), "b", "k", 1);

        APIGatewayV2HTTPResponse reused = fx.reserve(sale.id(), "b", "k", 2);

        assertThat(reused.getStatusCode()).isEqualTo(422);
        assertThat(HttpApi.body(reused))
                .containsEntry("type", ProblemType.IDEMPOTENCY_KEY_REUSED.uri())
                .containsEntry("reservationId", HttpApi.body(first).get("reservationId"));
        assertThat(fx.stock(sale.id())).isEqualTo("9");
    }

    @Test
    void replay_returnsTheSameReservationWith200() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(10, 10, 5));
        APIGatewayV2HTTPResponse first = fx.reserve(sale.id(), "b", "k", 2);

        APIGatewayV2HTTPResponse again = fx.reserve(sale.id(), "b", "k", 2);

        assertThat(first.getStatusCode()).isEqualTo(201);
        assertThat(first.getHeaders().get("location"))
                .isEqualTo("/sales/" + sale.id() + "/reservations/"
                        + HttpApi.body(first).get("reservationId"));
        assertThat(again.getStatusCode()).isEqualTo(200);
        Map<String, Object> a = HttpApi.body(first);
        Map<String, Object> b = HttpApi.body(again);
        for (String field : new String[] {"reservationId", "saleId", "quantity", "status", "createdAt", "expiresAt"}) {
            assertThat(b.get(field)).as(field).isEqualTo(a.get(field));
        }
        assertThat(a)
                .containsEntry("status", "HELD")
                .containsEntry("quantity", 2)
                .containsEntry("remaining", 8);
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}

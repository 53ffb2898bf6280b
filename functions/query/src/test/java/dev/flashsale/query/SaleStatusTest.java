package dev.flashsale.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /sales/{saleId} through the SaleStatusFunction's invoker, wired by its Init from config. */
class SaleStatusTest {

    private static SaleStatusInvoker invoker;
    private static TestStack stack;

    @BeforeAll
    static void start() {
        SaleStatusInit init = SaleStatusInit.from(Config.of(TestStack.environment(Map.of())));
        init.prime();
        invoker = init.invoker();
        stack = TestStack.create();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static APIGatewayV2HTTPResponse status(String saleId) {
        return invoker.handleRequest(HttpApi.saleStatus(saleId, "buyer-1"), Lambda.context());
    }

    private static Sale seeded(Duration startIn, Duration lasts, int stock) {
        Instant start = Instant.now().plus(startIn).truncatedTo(ChronoUnit.MILLIS);
        Sale sale = new Sale(TestSales.newId(), stock, 5, 5, start, start.plus(lasts));
        TestDatabase.create(stack.db, sale);
        return TestSales.seed(stack.redis, sale);
    }

    @Test
    void aSoldOutSale_isLiveAgain_whenACancelledOrdersUnitsComeBack() {
        Sale sale = stack.newSale(2, 2, 2, Duration.ofMinutes(10));
        dev.flashsale.reservation.Reservation order = stack.hold(sale.id(), "buyer-1", 2);
        stack.confirm(order);
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "sold-out")
                .containsEntry("remaining", 0);

        stack.cancellations(step -> {}).cancelByBuyer(sale.id(), order.id(), "buyer-1");

        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "live")
                .containsEntry("remaining", 2);
    }

    @Test
    void aSaleInThreeBuckets_isLiveWhileAnyBucketHasUnits_andSoldOutOnlyWhenEveryOneIsEmpty() {
        Sale sale = stack.newSplitSale(9, 5, 5, 3);
        List<SaleKeys> buckets = Buckets.all(sale.id(), 3);
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "live")
                .containsEntry("remaining", 9);

        // bucket 1 emptied, bucket 2 below zero (a deficit being paid back): bucket 0's 3 units still count
        stack.redis.call(c -> c.set(buckets.get(1).stock(), "0"));
        stack.redis.call(c -> c.set(buckets.get(2).stock(), "-2"));
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "live")
                .containsEntry("remaining", 3)
                .containsEntry("sold", 6);

        stack.redis.call(c -> c.set(buckets.get(0).stock(), "0"));
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "sold-out")
                .containsEntry("remaining", 0)
                .containsEntry("sold", 9);
    }

    @Test
    void upcomingSale() {
        Sale sale = seeded(Duration.ofMinutes(10), Duration.ofHours(1), 7);
        APIGatewayV2HTTPResponse r = status(sale.id());
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(r))
                .containsEntry("status", "upcoming")
                .containsEntry("remaining", 7)
                .containsEntry("sold", 0)
                .containsEntry("startsAt", sale.startsAt().toString())
                .containsEntry("endsAt", sale.endsAt().toString());
        assertThat(r.getHeaders()).containsEntry("cache-control", "public, max-age=30");
    }

    @Test
    void liveSale_showsRemainingAndSold() {
        Sale sale = seeded(Duration.ofMinutes(-1), Duration.ofHours(1), 7);
        stack.hold(sale.id(), "b1", 3);
        APIGatewayV2HTTPResponse r = status(sale.id());
        assertThat(HttpApi.body(r))
                .containsEntry("status", "live")
                .containsEntry("remaining", 4)
                .containsEntry("sold", 3);
        assertThat(r.getHeaders()).containsEntry("cache-control", "public, max-age=1");
    }

    @Test
    void soldOutSale() {
        Sale sale = seeded(Duration.ofMinutes(-1), Duration.ofHours(1), 2);
        stack.hold(sale.id(), "b1", 2);
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "sold-out")
                .containsEntry("remaining", 0)
                .containsEntry("sold", 2);
    }

    @Test
    void endedSale() {
        Sale sale = seeded(Duration.ofHours(-2), Duration.ofHours(1), 5);
        APIGatewayV2HTTPResponse r = status(sale.id());
        assertThat(HttpApi.body(r)).containsEntry("status", "ended");
        assertThat(r.getHeaders()).containsEntry("cache-control", "public, max-age=300");
    }

    @Test
    void aSaleNotLoadedYet_isAnsweredFromTheDatabase() {
        Instant start = Instant.now().plus(Duration.ofHours(5)).truncatedTo(ChronoUnit.MILLIS);
        Sale sale = TestDatabase.create(
                stack.db, new Sale(TestSales.newId(), 9, 1, 1, start, start.plus(Duration.ofHours(1))));
        assertThat(HttpApi.body(status(sale.id())))
                .containsEntry("status", "upcoming")
                .containsEntry("remaining", 9);
    }

    @Test
    void aTicketedSale_saysSo_fromRedisAndFromTheDatabase_andAnOpenOneSaysOpen() {
        Instant start = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MILLIS);
        Sale loaded = new Sale(
                TestSales.newId(),
                3,
                1,
                1,
                start,
                start.plus(Duration.ofHours(1)),
                dev.flashsale.sale.Admission.TICKETED);
        TestDatabase.create(stack.db, loaded);
        TestSales.seed(stack.redis, loaded);
        Sale notLoaded = TestDatabase.create(
                stack.db,
                new Sale(
                        TestSales.newId(),
                        3,
                        1,
                        1,
                        start.plus(Duration.ofHours(5)),
                        start.plus(Duration.ofHours(6)),
                        dev.flashsale.sale.Admission.TICKETED));

        assertThat(HttpApi.body(status(loaded.id()))).containsEntry("admission", "ticketed");
        assertThat(HttpApi.body(status(notLoaded.id()))).containsEntry("admission", "ticketed");
        assertThat(HttpApi.body(status(
                        seeded(Duration.ofMinutes(-1), Duration.ofHours(1), 2).id())))
                .containsEntry("admission", "open");
    }

    @Test
    void unknownAndInvalidIds() {
        APIGatewayV2HTTPResponse missing = status(TestSales.newId());
        assertThat(missing.getStatusCode()).isEqualTo(404);
        assertThat(HttpApi.body(missing).get("type")).isEqualTo(ProblemType.SALE_NOT_FOUND.uri());
        assertThat(missing.getHeaders()).containsEntry("cache-control", "no-store");
        APIGatewayV2HTTPResponse invalid = status("no{braces}");
        assertThat(invalid.getStatusCode()).isEqualTo(400);
        assertThat(HttpApi.body(invalid).get("type")).isEqualTo(ProblemType.INVALID_SALE_ID.uri());
    }
}

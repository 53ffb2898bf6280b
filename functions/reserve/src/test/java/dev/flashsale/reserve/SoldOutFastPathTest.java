package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ProblemType;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestSales;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Once an environment has seen a sale sold out it answers the crowd without running the reserve script, for a short
 * time only: one HGET per request, so that a replayed idempotency key still gets its reservation.
 */
class SoldOutFastPathTest {

    @AutoClose
    private static final ReserveFixture fx = ReserveFixture.create(Map.of("SOLD_OUT_CACHE_TTL", "300ms"));

    @Test
    void afterTheLastUnit_theCrowdIsAnsweredWithOneKeyLookupEach_untilTheTtlPasses() throws Exception {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(2, 5, 2));
        String held =
                (String) HttpApi.body(fx.reserve(sale.id(), "first", "k", 2)).get("reservationId");

        // Step 1: 50 late buyers: all sold out, each with one HGET (is the key a replay?) and no script
        long before = fx.redis.calls();
        for (int i = 0; i < 50; i++) {
            APIGatewayV2HTTPResponse r = fx.reserve(sale.id(), "late-" + i, "k" + i, 1);
            assertThat(r.getStatusCode()).isEqualTo(409);
            assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.SOLD_OUT.uri());
        }
        assertThat(fx.redis.calls() - before).isEqualTo(50);

        // Step 2: the hold is released; within the TTL the cache still answers, afterwards Redis does again
        new ReservationStore(fx.redis, ReservationPolicy.ofDefaults(), dev.flashsale.redis.ReplicaAck.NONE)
                .cancel(new dev.flashsale.redis.SaleKeys(sale.id()), held);
        Thread.sleep(350);
        assertThat(fx.reserve(sale.id(), "returning", "k", 1).getStatusCode()).isEqualTo(201);
    }

    @Test
    void aCancelledOrdersUnits_areReservableAgainOnceTheTtlPasses() throws Exception {
        try (dev.flashsale.testing.TestStack stack = dev.flashsale.testing.TestStack.create()) {
            Sale sale = stack.newSale(1, 1, 1, java.time.Duration.ofMinutes(10));
            dev.flashsale.reservation.Reservation order = stack.hold(sale.id(), "first", 1);
            stack.confirm(order);
            // this environment sees the sale sold out and remembers it
            assertThat(fx.reserve(sale.id(), "late", "k1", 1).getStatusCode()).isEqualTo(409);

            stack.cancellations(step -> {}).cancelByBuyer(sale.id(), order.id(), "first");

            Thread.sleep(350);
            APIGatewayV2HTTPResponse again = fx.reserve(sale.id(), "late", "k2", 1);
            assertThat(again.getStatusCode()).as(again.getBody()).isEqualTo(201);
        }
    }

    @Test
    void theBuyerWhoTookTheLastUnit_replaysTheirReservation_notSoldOut() {
        // Regression (issue 12, item 4): the fast path answered 409 sold-out before the idempotent replay
        Sale sale = TestSales.seed(fx.redis, TestSales.live(2, 5, 2));
        APIGatewayV2HTTPResponse first = fx.reserve(sale.id(), "last-buyer", "the-key", 2);
        assertThat(first.getStatusCode()).isEqualTo(201);
        assertThat(fx.reserve(sale.id(), "someone-else", "k", 1).getStatusCode())
                .isEqualTo(409);

        // The response was lost; the buyer retries with the same key while the environment remembers the sell-out
        APIGatewayV2HTTPResponse retry = fx.reserve(sale.id(), "last-buyer", "the-key", 2);

        assertThat(retry.getStatusCode()).isEqualTo(200);
        assertThat(retry.getHeaders()).containsEntry("idempotent-replayed", "true");
        assertThat(HttpApi.body(retry).get("reservationId"))
                .isEqualTo(HttpApi.body(first).get("reservationId"));
        // a key this buyer never used is still answered from memory
        assertThat(fx.reserve(sale.id(), "last-buyer", "another-key", 1).getStatusCode())
                .isEqualTo(409);
    }

    @Test
    void aSaleWithUnitsLeftButFewerThanAsked_isNotCached() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(3, 5, 2));
        assertThat(fx.reserve(sale.id(), "a", "k", 2).getStatusCode()).isEqualTo(201);

        assertThat(fx.reserve(sale.id(), "b", "k", 2).getStatusCode()).isEqualTo(409);
        long before = fx.redis.calls();
        assertThat(fx.reserve(sale.id(), "c", "k", 1).getStatusCode()).isEqualTo(201);
        assertThat(fx.redis.calls() - before).isPositive();
    }
}

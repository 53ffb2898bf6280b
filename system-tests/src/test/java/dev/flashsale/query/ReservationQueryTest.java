package dev.flashsale.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /sales/{saleId}/reservations/{reservationId} through the real invoker against the real Redis. */
class ReservationQueryTest {

    private static ReserveFixture reserve;
    private static ReservationQueryInit init;
    private static ReservationQueryInvoker query;

    @BeforeAll
    static void start() {
        reserve = ReserveFixture.create(Map.of());
        init = ReservationQueryInit.from(Config.of(TestStack.environment(Map.of())));
        query = init.invoker();
    }

    @AfterAll
    static void stop() {
        reserve.close();
        init.redis().close();
    }

    @Test
    void owner_seesTheReservationAndItsCurrentStatus() {
        Sale sale = TestSales.seed(reserve.redis, TestSales.live(10, 5, 5));
        Map<String, Object> held = HttpApi.body(reserve.reserve(sale.id(), "owner", "k", 2));
        String id = (String) held.get("reservationId");

        APIGatewayV2HTTPResponse seen =
                query.handleRequest(HttpApi.reservationStatus(sale.id(), id, "owner"), Lambda.context());

        assertThat(seen.getStatusCode()).isEqualTo(200);
        Map<String, Object> body = HttpApi.body(seen);
        assertThat(body)
                .containsEntry("reservationId", id)
                .containsEntry("saleId", sale.id())
                .containsEntry("quantity", 2)
                .containsEntry("status", "HELD")
                .containsEntry("expiresAt", held.get("expiresAt"));
        assertThat(body).doesNotContainKeys("buyer", "buyerId", "key");

        // the release job's Redis step for an expired hold
        new HoldClaims(reserve.redis, Duration.ofMinutes(5), Duration.ofDays(1))
                .follow(sale.id(), id, new OrderDecision.Released(ReleaseReason.HOLD_EXPIRED, true));
        Map<String, Object> after =
                HttpApi.body(query.handleRequest(HttpApi.reservationStatus(sale.id(), id, "owner"), Lambda.context()));
        assertThat(after).containsEntry("status", "EXPIRED");
    }

    @Test
    void anotherBuyer_getsTheSame404AsForAMissingReservation() {
        Sale sale = TestSales.seed(reserve.redis, TestSales.live(10, 5, 5));
        String id = (String)
                HttpApi.body(reserve.reserve(sale.id(), "owner", "k", 1)).get("reservationId");

        APIGatewayV2HTTPResponse foreign =
                query.handleRequest(HttpApi.reservationStatus(sale.id(), id, "intruder"), Lambda.context());
        APIGatewayV2HTTPResponse missing = query.handleRequest(
                HttpApi.reservationStatus(sale.id(), "01JD0000000000000000000000", "owner"), Lambda.context());

        for (APIGatewayV2HTTPResponse r : new APIGatewayV2HTTPResponse[] {foreign, missing}) {
            assertThat(r.getStatusCode()).isEqualTo(404);
            assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.RESERVATION_NOT_FOUND.uri());
        }
    }

    @Test
    void malformedIdsAndMissingBuyer_areRefused() {
        assertThat(query.handleRequest(HttpApi.reservationStatus("bad sale", "x", "b"), Lambda.context())
                        .getStatusCode())
                .isEqualTo(400);
        APIGatewayV2HTTPResponse badId =
                query.handleRequest(HttpApi.reservationStatus("s", "../etc", "b"), Lambda.context());
        assertThat(badId.getStatusCode()).isEqualTo(400);
        assertThat(HttpApi.body(badId).get("type")).isEqualTo(ProblemType.INVALID_RESERVATION_ID.uri());
        assertThat(query.handleRequest(HttpApi.reservationStatus("s", "r", null), Lambda.context())
                        .getStatusCode())
                .isEqualTo(401);
    }

    @Test
    void aReservationRedisNoLongerHas_isAnsweredFromTheDatabase_withItsOutcome() {
        Sale sale = TestSales.seed(reserve.redis, TestSales.live(10, 5, 5));
        String ordered = (String)
                HttpApi.body(reserve.reserve(sale.id(), "owner", "k1", 2)).get("reservationId");
        String released = (String)
                HttpApi.body(reserve.reserve(sale.id(), "owner", "k2", 1)).get("reservationId");
        try (DbConnection db = TestDatabase.connect()) {
            TestDatabase.create(db, sale);
            OrderFence fence = new OrderFence(db);
            java.time.Instant now = java.time.Instant.now();
            fence.confirm(new Reservation(
                    ordered, sale.id(), "owner", 2, ReservationStatus.CLAIMED, now, now.plusSeconds(60), "k1"));
            fence.release(
                    new Reservation(released, sale.id(), "owner", 1, ReservationStatus.HELD, now, now, "k2"),
                    ReleaseReason.SOLD_OUT);
        }
        // a failover: Redis lost both reservations
        reserve.redis.call(c -> c.del(new SaleKeys(sale.id()).reservations()));

        Map<String, Object> order = HttpApi.body(
                query.handleRequest(HttpApi.reservationStatus(sale.id(), ordered, "owner"), Lambda.context()));
        assertThat(order)
                .containsEntry("reservationId", ordered)
                .containsEntry("status", "CONFIRMED")
                .containsEntry("quantity", 2)
                .containsKeys("createdAt", "decidedAt")
                .doesNotContainKey("reason");
        APIGatewayV2HTTPResponse refusal =
                query.handleRequest(HttpApi.reservationStatus(sale.id(), released, "owner"), Lambda.context());
        assertThat(refusal.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(refusal))
                .containsEntry("status", "EXPIRED")
                .containsEntry("reason", "SOLD_OUT")
                .containsEntry("quantity", 1);
        // still nobody else's
        APIGatewayV2HTTPResponse foreign =
                query.handleRequest(HttpApi.reservationStatus(sale.id(), ordered, "intruder"), Lambda.context());
        assertThat(foreign.getStatusCode()).isEqualTo(404);
    }
}

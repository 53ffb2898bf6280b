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
                .follow(
                        new dev.flashsale.redis.SaleKeys(sale.id()),
                        id,
                        new OrderDecision.Released(ReleaseReason.HOLD_EXPIRED, true));
        Map<String, Object> after =
                HttpApi.body(query.handleRequest(HttpApi.reservationStatus(sale.id(), id, "owner"), Lambda.context()));
        assertThat(after).containsEntry("status", "EXPIRED");
    }

    @Test
    void anOrderWithAPaymentWindow_showsItsPaymentState_pendingPaidCancelledAndExpired() throws Exception {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 2, 2, Duration.ofSeconds(1));
            Reservation paying = stack.hold(sale.id(), "payer", 2);
            Reservation leaving = stack.hold(sale.id(), "leaver", 1);
            Reservation forgetting = stack.hold(sale.id(), "forgetter", 1);
            stack.confirm(paying);
            stack.confirm(leaving);
            stack.confirm(forgetting);
            Map<String, Object> pending = status(sale, paying);
            assertThat(pending)
                    .containsEntry("status", "PENDING_PAYMENT")
                    .containsEntry("amountCents", 2 * 1999)
                    .containsKey("paymentDueAt");

            stack.payments.pay(new dev.flashsale.db.PaymentEvent("evt-" + paying.id(), paying.id(), 3998, "USD"));
            assertThat(status(sale, paying)).containsEntry("status", "PAID").containsKey("paidAt");

            stack.cancellations(step -> {}).cancelByBuyer(sale.id(), leaving.id(), "leaver");
            assertThat(status(sale, leaving))
                    .containsEntry("status", "CANCELLED")
                    .containsEntry("reason", "BUYER_CANCELLED")
                    .containsKey("cancelledAt");

            Thread.sleep(1_100);
            dev.flashsale.release.ReleaseFixture.deadlines(stack, dev.flashsale.release.ReleaseFixture.settings(100))
                    .run(java.time.Instant.now().plusSeconds(30));
            assertThat(status(sale, forgetting))
                    .containsEntry("status", "CANCELLED")
                    .containsEntry("reason", "PAYMENT_EXPIRED");
            assertThat(status(sale, paying)).containsEntry("status", "PAID");

            // Redis no longer has it (past retention, or lost): the database's answer says the same
            stack.redis.call(c -> c.hdel(new SaleKeys(sale.id()).reservations(), leaving.id()));
            assertThat(status(sale, leaving))
                    .containsEntry("status", "CANCELLED")
                    .containsEntry("reason", "BUYER_CANCELLED");
        }
    }

    private static Map<String, Object> status(Sale sale, Reservation r) {
        APIGatewayV2HTTPResponse seen =
                query.handleRequest(HttpApi.reservationStatus(sale.id(), r.id(), r.buyerId()), Lambda.context());
        assertThat(seen.getStatusCode()).as(seen.getBody()).isEqualTo(200);
        return HttpApi.body(seen);
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

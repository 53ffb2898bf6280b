package dev.flashsale.orders;

import static dev.flashsale.orders.PaymentFixture.UNIT_PRICE_CENTS;
import static dev.flashsale.orders.PaymentFixture.body;
import static dev.flashsale.orders.PaymentFixture.cancel;
import static dev.flashsale.orders.PaymentFixture.dbState;
import static dev.flashsale.orders.PaymentFixture.orderStatus;
import static dev.flashsale.orders.PaymentFixture.sold;
import static dev.flashsale.orders.PaymentFixture.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ProblemType;
import dev.flashsale.payment.HoldCancellations;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /sales/{saleId}/reservations/{reservationId}} through the PaymentFunction's invoker: the buyer cancels
 * their unpaid order, its units go back on sale and to the buyer's allowance, exactly once.
 */
class BuyerCancelTest {

    private static PaymentFixture fx;

    @BeforeAll
    static void start() {
        fx = new PaymentFixture();
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private static Sale windowSale() {
        return fx.stack.newSale(10, 2, 2, Duration.ofMinutes(10));
    }

    @Test
    void aHoldConfirmedBetweenTheDatabasesAnswerAndTheRedisRead_isCancelledAsTheOrderItBecame() {
        // The buyer's DELETE finds no order, then the confirmer orders the hold before the handler reads Redis, which
        // shows CONFIRMED: the order is what the buyer cancels (HoldCancelRaceTest met this in CI's cluster pass).
        Sale sale = windowSale();
        Reservation hold = fx.stack.hold(sale.id(), "between", 1);
        AtomicBoolean confirmedMeanwhile = new AtomicBoolean();
        PaymentHandler handler = new PaymentHandler(
                fx.stack.payments,
                fx.stack.cancellations(step -> {
                    if (step == OrderCancellations.Step.NO_ORDER && confirmedMeanwhile.compareAndSet(false, true)) {
                        fx.stack.confirm(hold);
                    }
                }),
                new HoldCancellations(fx.stack.fence, fx.stack.claims),
                fx.stack.fence,
                new SaleRepository(fx.stack.db),
                fx.stack.store);

        PaymentHandler.Cancelled cancelled = handler.cancel(sale.id(), hold.id(), "between");

        assertThat(confirmedMeanwhile).isTrue();
        assertThat(cancelled.replayed()).isFalse();
        assertThat(cancelled.view()).containsEntry("status", "CANCELLED").containsEntry("reason", "BUYER_CANCELLED");
        assertThat(orderStatus(hold.id())).isEqualTo("CANCELLED");
        assertThat(sold(sale.id())).isZero();
        assertThat(fx.stack.available(sale.id())).isEqualTo(10);
    }

    @Test
    void theBuyerCancelsTheirUnpaidOrder_theUnitsGoBack_once_andTheyMayBuyAgain() {
        // Step 1: an order of two units, the buyer's whole limit: a further hold is refused.
        Sale sale = windowSale();
        Reservation r = fx.order(sale.id(), "canceller", 2);
        assertThat(orderStatus(r.id())).isEqualTo("PENDING_PAYMENT");
        assertThat(fx.stack.store.reserve(new ReserveRequest(sale.id(), "canceller", "before-cancel", 1)))
                .isInstanceOf(ReserveOutcome.Refused.class);
        long sold = sold(sale.id());
        long available = fx.stack.available(sale.id());
        assertThat(fx.buyerUnits(sale.id(), "canceller")).isEqualTo(2);

        // Step 2: DELETE: 200, the order CANCELLED by its buyer; its units leave sold and return to Redis.
        APIGatewayV2HTTPResponse cancelled = fx.send(cancel(sale.id(), r.id(), "canceller"));
        assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(200);
        assertThat(cancelled.getHeaders()).doesNotContainKey("idempotent-replayed");
        Map<String, Object> view = HttpApi.body(cancelled);
        assertThat(view)
                .containsEntry("reservationId", r.id())
                .containsEntry("saleId", sale.id())
                .containsEntry("quantity", 2)
                .containsEntry("status", "CANCELLED")
                .containsEntry("reason", "BUYER_CANCELLED")
                .containsEntry("amountCents", (int) (2 * UNIT_PRICE_CENTS))
                .containsKeys("cancelledAt", "paymentDueAt");
        assertThat(orderStatus(r.id())).isEqualTo("CANCELLED");
        assertThat(sold(sale.id())).isEqualTo(sold - 2);
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 2);
        assertThat(fx.buyerUnits(sale.id(), "canceller")).isZero();
        List<String> afterCancel = dbState(r.id());
        assertThat(afterCancel.get(0)).as("units returned recorded").contains("|t|");

        // Step 3: DELETE again: the same view, replayed; nothing moves.
        APIGatewayV2HTTPResponse again = fx.send(cancel(sale.id(), r.id(), "canceller"));
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(again.getHeaders()).containsEntry("idempotent-replayed", "true");
        assertThat(HttpApi.body(again))
                .containsEntry("status", "CANCELLED")
                .containsEntry("reason", "BUYER_CANCELLED")
                .containsEntry("cancelledAt", view.get("cancelledAt"));
        assertThat(dbState(r.id())).isEqualTo(afterCancel);
        assertThat(sold(sale.id())).isEqualTo(sold - 2);
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 2);
        assertThat(fx.buyerUnits(sale.id(), "canceller")).isZero();

        // Step 4: within their limit again, the buyer reserves anew (a new Idempotency-Key).
        assertThat(fx.stack.store.reserve(new ReserveRequest(sale.id(), "canceller", "after-cancel", 2)))
                .isInstanceOf(ReserveOutcome.Held.class);
        assertThat(fx.buyerUnits(sale.id(), "canceller")).isEqualTo(2);
    }

    @Test
    void aPaidOrder_isNotCancellable() {
        Sale sale = windowSale();
        Reservation r = fx.order(sale.id(), "paid-buyer", 1);
        assertThat(fx.send(webhook(body("evt_c-" + r.id(), r.id(), UNIT_PRICE_CENTS, "USD")))
                        .getStatusCode())
                .isEqualTo(200);
        List<String> before = dbState(r.id());
        long available = fx.stack.available(sale.id());

        APIGatewayV2HTTPResponse refused = fx.send(cancel(sale.id(), r.id(), "paid-buyer"));

        assertProblem(refused, ProblemType.ORDER_NOT_CANCELLABLE);
        assertThat(HttpApi.body(refused)).containsEntry("orderStatus", "PAID");
        assertThat(dbState(r.id())).isEqualTo(before);
        assertThat(fx.stack.available(sale.id())).isEqualTo(available);
    }

    @Test
    void anOrderOfASaleWithoutPaymentWindow_isFinal() {
        Sale sale = fx.stack.newSale(10, 2, 2);
        Reservation r = fx.order(sale.id(), "final-buyer", 1);
        List<String> before = dbState(r.id());

        APIGatewayV2HTTPResponse refused = fx.send(cancel(sale.id(), r.id(), "final-buyer"));

        assertProblem(refused, ProblemType.ORDER_NOT_CANCELLABLE);
        assertThat(HttpApi.body(refused)).containsEntry("orderStatus", "CONFIRMED");
        assertThat(dbState(r.id())).isEqualTo(before);
    }

    @Test
    void anotherBuyersOrder_isNotFound_andStaysAsItWas() {
        Sale sale = windowSale();
        Reservation r = fx.order(sale.id(), "owner", 1);
        List<String> before = dbState(r.id());
        long available = fx.stack.available(sale.id());

        assertProblem(fx.send(cancel(sale.id(), r.id(), "intruder")), ProblemType.RESERVATION_NOT_FOUND);
        assertProblem(fx.send(cancel(windowSale().id(), r.id(), "owner")), ProblemType.RESERVATION_NOT_FOUND);
        assertProblem(fx.send(cancel(sale.id(), "no-such-reservation", "owner")), ProblemType.RESERVATION_NOT_FOUND);

        assertThat(dbState(r.id())).isEqualTo(before);
        assertThat(orderStatus(r.id())).isEqualTo("PENDING_PAYMENT");
        assertThat(fx.stack.available(sale.id())).isEqualTo(available);
    }

    @Test
    void aHoldWhoseConfirmationIsQueued_isCancelledThroughTheFence_andItsConfirmationFindsTheRelease() {
        Sale sale = windowSale();
        Reservation held = fx.stack.hold(sale.id(), "quick", 1);
        long available = fx.stack.available(sale.id());
        // another buyer learns nothing of it, and changes nothing
        assertProblem(fx.send(cancel(sale.id(), held.id(), "stranger")), ProblemType.RESERVATION_NOT_FOUND);

        APIGatewayV2HTTPResponse cancelled = fx.send(cancel(sale.id(), held.id(), "quick"));

        assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(200);
        assertThat(HttpApi.body(cancelled))
                .containsEntry("status", "CANCELLED")
                .containsEntry("reason", "BUYER_CANCELLED");
        assertThat(cancelled.getHeaders()).doesNotContainKey("idempotent-replayed");
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 1);
        assertThat(fx.buyerUnits(sale.id(), "quick")).isZero();
        assertThat(fx.stack.fence.find(held.id()))
                .contains(new OrderDecision.Released(ReleaseReason.BUYER_CANCELLED, false));
        // the queued confirmation arrives: nothing to claim, and the fence says released
        assertThat(fx.stack.claims.claim(new SaleKeys(sale.id()), held.id()))
                .isNotInstanceOf(ClaimOutcome.Claimed.class);
        assertThat(orderStatus(held.id())).isNull();
        // a repeat answers the same, changing nothing
        APIGatewayV2HTTPResponse again = fx.send(cancel(sale.id(), held.id(), "quick"));
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(again.getHeaders()).containsEntry("idempotent-replayed", "true");
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 1);
    }

    @Test
    void aClaimedHold_isCancelled_andTheConfirmerThatClaimedItFindsTheRelease() {
        Sale sale = windowSale();
        Reservation held = fx.stack.hold(sale.id(), "claimed", 2);
        long available = fx.stack.available(sale.id());
        ClaimOutcome.Claimed claimed = (ClaimOutcome.Claimed) fx.stack.claims.claim(new SaleKeys(sale.id()), held.id());

        APIGatewayV2HTTPResponse cancelled = fx.send(cancel(sale.id(), held.id(), "claimed"));

        assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(200);
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 2);
        // the confirmer goes on with its claim: the release committed first wins, Redis is settled already
        OrderDecision decision = fx.stack.fence.confirm(claimed.reservation());
        assertThat(decision).isEqualTo(new OrderDecision.Released(ReleaseReason.BUYER_CANCELLED, false));
        fx.stack.claims.follow(new SaleKeys(sale.id()), held.id(), decision);
        assertThat(fx.stack.available(sale.id())).isEqualTo(available + 2);
        assertThat(orderStatus(held.id())).isNull();
        assertThat(sold(sale.id())).isZero();
    }

    @Test
    void aHoldOfASaleWithoutPaymentWindow_isNotCancellable_retryAfterASecond() {
        Sale sale = fx.stack.newSale(10, 2, 2);
        Reservation held = fx.stack.hold(sale.id(), "quick", 1);
        long available = fx.stack.available(sale.id());

        APIGatewayV2HTTPResponse refused = fx.send(cancel(sale.id(), held.id(), "quick"));

        assertProblem(refused, ProblemType.ORDER_NOT_CANCELLABLE);
        assertThat(HttpApi.body(refused)).containsEntry("reservationStatus", "HELD");
        assertThat(refused.getHeaders()).containsEntry("retry-after", "1");
        assertThat(fx.stack
                        .store
                        .find(new SaleKeys(sale.id()), held.id())
                        .orElseThrow()
                        .status()
                        .name())
                .isEqualTo("HELD");
        assertThat(fx.stack.available(sale.id())).isEqualTo(available);
        assertThat(fx.stack.fence.find(held.id())).isEmpty();
    }

    @Test
    void malformedIdsAndNoBuyer_areRefused() {
        assertProblem(fx.send(cancel("bad sale", "r1", "b")), ProblemType.INVALID_SALE_ID);
        assertProblem(fx.send(cancel("s1", "bad/id", "b")), ProblemType.INVALID_RESERVATION_ID);
        assertProblem(fx.send(cancel("s1", "r1", null)), ProblemType.UNAUTHENTICATED);
    }

    private static void assertProblem(APIGatewayV2HTTPResponse response, ProblemType type) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(type.status());
        assertThat(HttpApi.body(response)).containsEntry("type", type.uri());
    }
}

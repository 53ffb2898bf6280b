package dev.flashsale.orders;

import static dev.flashsale.orders.PaymentFixture.UNIT_PRICE_CENTS;
import static dev.flashsale.orders.PaymentFixture.body;
import static dev.flashsale.orders.PaymentFixture.dbState;
import static dev.flashsale.orders.PaymentFixture.orderStatus;
import static dev.flashsale.orders.PaymentFixture.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemType;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /payments/events} through the PaymentFunction's invoker: every bad request gets its precise problem and
 * changes nothing in the database (the order's row, its payments, the sale's {@code sold}); then the answers that do
 * change something, and their redeliveries that do not.
 */
class WebhookRequestsTest {

    private static PaymentFixture fx;
    /** A PENDING_PAYMENT order of two units: the one every bad request aims at. */
    private static Reservation pending;
    /** A CONFIRMED order: its sale has no payment window. */
    private static Reservation unpayable;

    private static final String USED_EVENT = "evt_used-" + System.nanoTime();

    @BeforeAll
    static void start() {
        fx = new PaymentFixture();
        Sale sale = fx.stack.newSale(10, 4, 4, Duration.ofMinutes(10));
        pending = fx.order(sale.id(), "webhook-buyer", 2);
        Reservation paidElsewhere = fx.order(sale.id(), "webhook-other", 1);
        assertThat(fx.send(webhook(body(USED_EVENT, paidElsewhere.id(), UNIT_PRICE_CENTS, "USD")))
                        .getStatusCode())
                .isEqualTo(200);
        Sale finalSale = fx.stack.newSale(10, 4, 4);
        unpayable = fx.order(finalSale.id(), "webhook-buyer", 1);
        assertThat(orderStatus(pending.id())).isEqualTo("PENDING_PAYMENT");
        assertThat(orderStatus(unpayable.id())).isEqualTo("CONFIRMED");
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    /** The request, made from the pending and the unpayable order's reservation ids. */
    private record Ids(String pending, String unpayable) {}

    private static String good(String reservationId) {
        return body("evt_bad-" + System.nanoTime(), reservationId, 2 * UNIT_PRICE_CENTS, "USD");
    }

    private static APIGatewayV2HTTPEvent signedAt(String body, Instant at) {
        return webhook(body, PaymentFixture.PROVIDER.sign(body, at));
    }

    private static Arguments bad(String name, Function<Ids, APIGatewayV2HTTPEvent> request, ProblemType type) {
        return Arguments.of(name, request, type);
    }

    private static Arguments badBody(String name, String json, ProblemType type) {
        return bad(name, ids -> webhook(json.replace("$R", ids.pending())), type);
    }

    static Stream<Arguments> badRequests() {
        WebhookSignature otherSecret = new WebhookSignature(
                "another-secret-the-provider-does-not-share".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
        return Stream.of(
                // --- the signature, checked before the body is read as JSON ---
                bad(
                        "signed with another secret",
                        ids -> webhook(good(ids.pending()), otherSecret.sign(good(ids.pending()), Instant.now())),
                        ProblemType.INVALID_SIGNATURE),
                bad(
                        "body altered after signing",
                        ids -> {
                            String signed = good(ids.pending());
                            return webhook(
                                    signed.replace("\"amountCents\":" + 2 * UNIT_PRICE_CENTS, "\"amountCents\":1"),
                                    PaymentFixture.PROVIDER.sign(signed, Instant.now()));
                        },
                        ProblemType.INVALID_SIGNATURE),
                bad("no signature header", ids -> webhook(good(ids.pending()), null), ProblemType.INVALID_SIGNATURE),
                bad("blank signature header", ids -> webhook(good(ids.pending()), " "), ProblemType.INVALID_SIGNATURE),
                bad(
                        "malformed signature header",
                        ids -> webhook(good(ids.pending()), "t=abc,v1=zz"),
                        ProblemType.INVALID_SIGNATURE),
                bad(
                        "signature without a timestamp",
                        ids -> webhook(good(ids.pending()), "v1=" + "ab".repeat(32)),
                        ProblemType.INVALID_SIGNATURE),
                bad(
                        "signature of the wrong length",
                        ids -> webhook(good(ids.pending()), "t=" + Instant.now().getEpochSecond() + ",v1=abcd"),
                        ProblemType.INVALID_SIGNATURE),
                bad(
                        "a forged body is refused before it is parsed",
                        ids -> webhook("{not json", "t=" + Instant.now().getEpochSecond() + ",v1=" + "0".repeat(64)),
                        ProblemType.INVALID_SIGNATURE),
                bad(
                        "captured and replayed ten minutes later",
                        ids -> signedAt(good(ids.pending()), Instant.now().minus(Duration.ofMinutes(10))),
                        ProblemType.STALE_SIGNATURE),
                bad(
                        "timestamp ten minutes ahead",
                        ids -> signedAt(good(ids.pending()), Instant.now().plus(Duration.ofMinutes(10))),
                        ProblemType.STALE_SIGNATURE),
                // --- the request itself ---
                bad(
                        "body above 4096 bytes",
                        ids -> webhook(" ".repeat(5000) + good(ids.pending())),
                        ProblemType.BODY_TOO_LARGE),
                bad(
                        "text/plain",
                        ids -> {
                            APIGatewayV2HTTPEvent e = webhook(good(ids.pending()));
                            e.getHeaders().put("content-type", "text/plain");
                            return e;
                        },
                        ProblemType.UNSUPPORTED_MEDIA_TYPE),
                // --- the body, signed ---
                badBody("not JSON", "{\"eventId\":", ProblemType.INVALID_REQUEST),
                badBody("empty body", "", ProblemType.INVALID_REQUEST),
                badBody("a JSON array", "[1]", ProblemType.INVALID_REQUEST),
                badBody(
                        "duplicate key",
                        "{\"eventId\":\"e1\",\"eventId\":\"e2\",\"reservationId\":\"$R\",\"amountCents\":3998,"
                                + "\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "unknown field",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"USD\","
                                + "\"status\":\"paid\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "missing currency",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":3998}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "missing eventId",
                        "{\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "amount as a string",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":\"3998\",\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "amount as a decimal",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":39.98,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "amount null",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":null,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "amount beyond 64 bits",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":99999999999999999999999,"
                                + "\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "amount negative",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":-3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "eventId as a number",
                        "{\"eventId\":1,\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "eventId too long",
                        "{\"eventId\":\"" + "e".repeat(201) + "\",\"reservationId\":\"$R\",\"amountCents\":3998,"
                                + "\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "eventId empty",
                        "{\"eventId\":\"\",\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "eventId with a space",
                        "{\"eventId\":\"e 1\",\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "reservationId malformed",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R/..\",\"amountCents\":3998,\"currency\":\"USD\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "currency in lower case",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"usd\"}",
                        ProblemType.INVALID_REQUEST),
                badBody(
                        "currency not three letters",
                        "{\"eventId\":\"e1\",\"reservationId\":\"$R\",\"amountCents\":3998,\"currency\":\"DOLLAR\"}",
                        ProblemType.INVALID_REQUEST),
                // --- well-formed, signed, and still refused by the order ---
                bad(
                        "unknown reservation",
                        ids -> webhook(body("evt_unknown", "no-such-reservation", 3998, "USD")),
                        ProblemType.ORDER_NOT_FOUND),
                bad(
                        "amount not the order's",
                        ids -> webhook(body("evt_short", ids.pending(), UNIT_PRICE_CENTS, "USD")),
                        ProblemType.AMOUNT_MISMATCH),
                bad(
                        "currency not the sale's",
                        ids -> webhook(body("evt_eur", ids.pending(), 2 * UNIT_PRICE_CENTS, "EUR")),
                        ProblemType.AMOUNT_MISMATCH),
                bad(
                        "order of a sale without payment window",
                        ids -> webhook(body("evt_final", ids.unpayable(), UNIT_PRICE_CENTS, "USD")),
                        ProblemType.ORDER_NOT_PAYABLE),
                bad(
                        "event id recorded for another order",
                        ids -> webhook(body(USED_EVENT, ids.pending(), 2 * UNIT_PRICE_CENTS, "USD")),
                        ProblemType.EVENT_ID_REUSED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequest_getsItsPreciseProblem_andChangesNothing(
            String name, Function<Ids, APIGatewayV2HTTPEvent> request, ProblemType type) {
        List<String> pendingBefore = dbState(pending.id());
        List<String> unpayableBefore = dbState(unpayable.id());

        APIGatewayV2HTTPResponse response = fx.send(request.apply(new Ids(pending.id(), unpayable.id())));

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(type.status());
        assertThat(response.getHeaders()).containsEntry("content-type", HttpResponses.PROBLEM_JSON);
        Map<String, Object> problem = HttpApi.body(response);
        assertThat(problem).containsEntry("type", type.uri()).containsEntry("status", type.status());
        assertThat(response.getHeaders()).doesNotContainKey("idempotent-replayed");
        assertThat(dbState(pending.id()))
                .as("the pending order and its payments")
                .isEqualTo(pendingBefore);
        assertThat(dbState(unpayable.id()))
                .as("the final order and its payments")
                .isEqualTo(unpayableBefore);
        assertThat(orderStatus(pending.id())).isEqualTo("PENDING_PAYMENT");
        if (type == ProblemType.AMOUNT_MISMATCH) {
            assertThat(problem)
                    .containsEntry("expectedCents", (int) (2 * UNIT_PRICE_CENTS))
                    .containsEntry("currency", "USD");
        }
        if (type == ProblemType.ORDER_NOT_PAYABLE) {
            assertThat(problem).containsEntry("orderStatus", "CONFIRMED");
        }
    }

    @Test
    void theSignatureProblems_sayWhatIsWrong() {
        String body = good(pending.id());
        assertThat(HttpApi.body(fx.send(webhook(body, null))).get("detail").toString())
                .contains("missing");
        assertThat(HttpApi.body(fx.send(webhook(body, "t=1,v1=xyz")))
                        .get("detail")
                        .toString())
                .contains("malformed");
        assertThat(HttpApi.body(fx.send(webhook(body, "t=1,v1=" + "0".repeat(64))))
                        .get("detail")
                        .toString())
                .contains("does not match");
    }

    @Test
    void aPayment_marksTheOrderPaid_once_andARedeliveryChangesNothing() {
        Sale sale = fx.stack.newSale(10, 4, 4, Duration.ofMinutes(10));
        Reservation r = fx.order(sale.id(), "payer", 3);
        long sold = PaymentFixture.sold(sale.id());
        String event = body("evt_pay-" + r.id(), r.id(), 3 * UNIT_PRICE_CENTS, "USD");

        // Step 1: the provider's notification: 200 PAID, the order is PAID.
        APIGatewayV2HTTPResponse paid = fx.send(webhook(event));
        assertThat(paid.getStatusCode()).as(paid.getBody()).isEqualTo(200);
        assertThat(HttpApi.body(paid))
                .isEqualTo(Map.of(
                        "eventId",
                        "evt_pay-" + r.id(),
                        "reservationId",
                        r.id(),
                        "saleId",
                        sale.id(),
                        "outcome",
                        "PAID"));
        assertThat(paid.getHeaders()).doesNotContainKey("idempotent-replayed");
        assertThat(orderStatus(r.id())).isEqualTo("PAID");
        assertThat(PaymentFixture.payments(r.id())).isEqualTo(1);
        List<String> after = dbState(r.id());

        // Step 2: the same event again (the provider retries): the same answer, replayed, nothing changed.
        APIGatewayV2HTTPResponse again = fx.send(webhook(event));
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(again)).containsEntry("outcome", "PAID");
        assertThat(again.getHeaders()).containsEntry("idempotent-replayed", "true");
        assertThat(dbState(r.id())).isEqualTo(after);
        assertThat(PaymentFixture.payments(r.id())).isEqualTo(1);

        // Step 3: another payment of the same order: recorded, to refund; the order stays PAID.
        APIGatewayV2HTTPResponse second =
                fx.send(webhook(body("evt_pay2-" + r.id(), r.id(), 3 * UNIT_PRICE_CENTS, "USD")));
        assertThat(second.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(second)).containsEntry("outcome", "ALREADY_PAID");
        assertThat(second.getHeaders()).doesNotContainKey("idempotent-replayed");
        assertThat(orderStatus(r.id())).isEqualTo("PAID");
        assertThat(PaymentFixture.payments(r.id())).isEqualTo(2);
        assertThat(PaymentFixture.sold(sale.id()))
                .as("payments do not move sold")
                .isEqualTo(sold);
    }

    @Test
    void aPaymentAfterTheBuyerCancelled_isPaidAfterCancel_andTakesNoUnitBack() {
        Sale sale = fx.stack.newSale(10, 4, 4, Duration.ofMinutes(10));
        Reservation r = fx.order(sale.id(), "late-payer", 2);
        assertThat(fx.send(PaymentFixture.cancel(sale.id(), r.id(), "late-payer"))
                        .getStatusCode())
                .isEqualTo(200);
        long sold = PaymentFixture.sold(sale.id());
        long available = fx.stack.available(sale.id());

        APIGatewayV2HTTPResponse late =
                fx.send(webhook(body("evt_late-" + r.id(), r.id(), 2 * UNIT_PRICE_CENTS, "USD")));

        assertThat(late.getStatusCode()).as(late.getBody()).isEqualTo(200);
        assertThat(HttpApi.body(late)).containsEntry("outcome", "PAID_AFTER_CANCEL");
        assertThat(orderStatus(r.id())).isEqualTo("PAID_AFTER_CANCEL");
        assertThat(PaymentFixture.sold(sale.id()))
                .as("sold unchanged by the payment")
                .isEqualTo(sold);
        assertThat(fx.stack.available(sale.id())).as("the units stay on sale").isEqualTo(available);
    }
}

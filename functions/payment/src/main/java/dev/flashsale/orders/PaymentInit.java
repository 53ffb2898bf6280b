package dev.flashsale.orders;

import dev.flashsale.config.Config;
import dev.flashsale.db.CancelReason;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.OrderState;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.payment.HoldCancellations;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.payment.UnitsReturn;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Lifetimes;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Built once per execution environment of the PaymentFunction, before the SnapStart snapshot: the Redis client, the
 * database connection, the webhook's signature check, the handler and its invoker. Priming runs each route for a
 * reservation that cannot exist, which writes nothing.
 */
public final class PaymentInit extends FunctionInit<PaymentInvoker> {

    static final Once<PaymentInit> LAMBDA = perEnvironment(PaymentInit::from);

    private final WebhookSignature signature;

    public PaymentInit(PaymentEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        RedisConnection redis = wiring().redis(env.redis());
        DbConnection db = wiring().db(env.db());
        OrderPayments payments = new OrderPayments(db);
        this.signature = env.signature();
        OrderFence fence = new OrderFence(db);
        ReservationStore store = new ReservationStore(redis, env.policy(), ReplicaAck.NONE);
        PaymentHandler handler = new PaymentHandler(
                payments,
                new OrderCancellations(payments, new UnitsReturn(redis, store.buckets())),
                // only follows decisions: the claim and redrive lifetimes are never used here
                new HoldCancellations(
                        fence,
                        new HoldClaims(
                                redis,
                                Lifetimes.ofDefaults().claim(),
                                Lifetimes.ofDefaults().redriveWindow())),
                fence,
                new SaleRepository(db),
                store);
        WebhookRequestReader webhooks = new WebhookRequestReader(signature, Clock.systemUTC());
        serve(t -> new PaymentInvoker(handler, webhooks, env.devMode(), t));
    }

    public static PaymentInit from(Config config) {
        return build(PaymentEnvironment.from(config), PaymentInit::new);
    }

    /**
     * Through the invoker: a webhook whose signature does not match (401, before the body is parsed); a signed one for
     * a reservation that cannot exist (the order's row lock finds no row: 404, nothing recorded); a buyer's cancellation
     * of a reservation of the prime sale (the sale's row lock finds no row, Redis has no record: 404). Then the 200
     * bodies rendered without I/O.
     */
    @Override
    protected void primePaths() {
        primeScripts();
        String body = "{\"eventId\":\"prime\",\"reservationId\":\"" + PrimeSamples.RESERVATION_ID
                + "\",\"amountCents\":0,\"currency\":\"USD\"}";
        primeRequest(quietInvoker(), webhook(body, "t=0,v1=" + "0".repeat(64)), 401);
        primeRequest(quietInvoker(), webhook(body, signature.sign(body, Instant.now())), 404);
        primeRequest(
                quietInvoker(),
                PrimeSamples.buyerRequest(
                                "DELETE",
                                "/sales/{saleId}/reservations/{reservationId}",
                                Map.of("saleId", PrimeSamples.SALE_ID, "reservationId", PrimeSamples.RESERVATION_ID))
                        .build(),
                404);
        primeViews();
    }

    private static com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent webhook(
            String body, String signatureHeader) {
        return ApiGatewayEvent.request("POST", "/payments/events")
                .route("/payments/events")
                .requestId("prime")
                .header("content-type", "application/json")
                .header(WebhookSignature.HEADER, signatureHeader)
                .body(body)
                .build();
    }

    /** The bodies of a recorded payment and of a cancelled order, rendered to JSON (no I/O). */
    private static void primeViews() {
        Map<String, Object> paid = new LinkedHashMap<>();
        paid.put("eventId", "prime");
        paid.put("reservationId", PrimeSamples.RESERVATION_ID);
        paid.put("saleId", PrimeSamples.SALE_ID);
        paid.put("outcome", "PAID");
        HttpResponses.json(200, paid, Map.of(PaymentInvoker.REPLAYED, "true"));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        OrderState cancelled = new OrderState(
                PrimeSamples.RESERVATION_ID,
                PrimeSamples.SALE_ID,
                PrimeSamples.BUYER_ID,
                1,
                1999,
                OrderStatus.CANCELLED,
                at.plusSeconds(600),
                null,
                at.plusSeconds(60),
                CancelReason.BUYER_CANCELLED);
        HttpResponses.json(
                200, ReservationView.withPayment(ReservationView.of(PrimeSamples.reservation()), cancelled), Map.of());
    }
}

package dev.flashsale.orders;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PaymentFunction as Lambda runs it (its Init, primed, and its invoker) on the real Redis and PostgreSQL, with a
 * {@link TestStack} to make sales and orders, the provider's signer, and what the tests read back from the database.
 */
final class PaymentFixture implements AutoCloseable {

    static final String SECRET = "payment-test-webhook-secret-0123456789";
    /** What the provider signs with: the function's secret. */
    static final WebhookSignature PROVIDER =
            new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
    /** The test sales' unit price ({@link TestStack#newSale}). */
    static final long UNIT_PRICE_CENTS = 1999;

    final TestStack stack = TestStack.create();
    final PaymentInit init;
    final PaymentInvoker invoker;

    PaymentFixture() {
        init = PaymentInit.from(Config.of(TestStack.environment(Map.of("PAYMENT_WEBHOOK_SECRET", SECRET))));
        init.prime();
        invoker = init.invoker();
    }

    APIGatewayV2HTTPResponse send(APIGatewayV2HTTPEvent e) {
        return invoker.handleRequest(e, Lambda.context());
    }

    /** A confirmed order of {@code quantity} units for {@code buyer}: PENDING_PAYMENT when the sale has a window. */
    Reservation order(String saleId, String buyer, int quantity) {
        Reservation r = stack.hold(saleId, buyer, quantity);
        stack.confirm(r);
        return r;
    }

    static String body(String eventId, String reservationId, long amountCents, String currency) {
        return "{\"eventId\":\"" + eventId + "\",\"reservationId\":\"" + reservationId + "\",\"amountCents\":"
                + amountCents + ",\"currency\":\"" + currency + "\"}";
    }

    /** The webhook as the provider sends it: JSON, signed now. */
    static APIGatewayV2HTTPEvent webhook(String body) {
        return webhook(body, PROVIDER.sign(body, Instant.now()));
    }

    /** The webhook with this signature header (none when null): public, no JWT. */
    static APIGatewayV2HTTPEvent webhook(String body, String signature) {
        var e = HttpApi.request("POST", "/payments/events", "/payments/events", null)
                .header("content-type", "application/json")
                .body(body);
        if (signature != null) {
            e.header("Flashsale-Signature", signature);
        }
        return e.build();
    }

    static APIGatewayV2HTTPEvent cancel(String saleId, String reservationId, String buyer) {
        return HttpApi.request(
                        "DELETE",
                        "/sales/{saleId}/reservations/{reservationId}",
                        "/sales/" + saleId + "/reservations/" + reservationId,
                        buyer)
                .pathParameter("saleId", saleId)
                .pathParameter("reservationId", reservationId)
                .build();
    }

    /** The order's status, or null when there is none. */
    static String orderStatus(String reservationId) {
        List<String> row = query("SELECT status FROM orders WHERE reservation_id = ?", reservationId);
        return row.isEmpty() ? null : row.get(0);
    }

    /**
     * What a refused request must leave as it was: the order's row (status, paid, cancelled, units returned) and the
     * payments recorded for it, and the sale's {@code sold}.
     */
    static List<String> dbState(String reservationId) {
        List<String> state = new ArrayList<>(query(
                "SELECT concat_ws('|', o.status, o.paid_at, o.cancelled_at, o.cancel_reason, o.units_returned, s.sold)"
                        + " FROM orders o JOIN sales s ON s.id = o.sale_id WHERE o.reservation_id = ?",
                reservationId));
        state.addAll(query(
                "SELECT concat_ws('|', event_id, amount_cents, currency, outcome) FROM payments"
                        + " WHERE reservation_id = ? ORDER BY event_id",
                reservationId));
        return state;
    }

    static long sold(String saleId) {
        return Long.parseLong(
                query("SELECT sold FROM sales WHERE id = ?", saleId).get(0));
    }

    static int payments(String reservationId) {
        return query("SELECT event_id FROM payments WHERE reservation_id = ?", reservationId)
                .size();
    }

    /** The units Redis counts for the buyer in the sale. */
    long buyerUnits(String saleId, String buyer) {
        String v = stack.redis.call(c -> c.hget(new SaleKeys(saleId).units(), buyer));
        return v == null ? 0 : Long.parseLong(v);
    }

    private static List<String> query(String sql, String parameter) {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stack.close();
        init.redis().close();
        init.db().close();
    }
}

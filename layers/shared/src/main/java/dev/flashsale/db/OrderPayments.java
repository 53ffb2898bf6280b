package dev.flashsale.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An order's payment window in the database: pay, cancel, and the deadline's cancellation (docs/payment.md).
 *
 * <p>Pay and cancel are each one conditional transition from {@code PENDING_PAYMENT}, taken under the order row's lock
 * ({@code FOR UPDATE} for a payment, the {@code UPDATE} itself for a cancellation): whichever commits first wins, and
 * the other, re-reading the row once the lock is free (READ COMMITTED), sees it. A payment that finds the order
 * cancelled is recorded as {@link PaymentOutcome#PAID_AFTER_CANCEL} and never takes the units back: they may be a later
 * buyer's by now. A cancellation takes the order's units off {@code sold} in the same transaction, under the sale row's
 * lock (taken first, as every transaction that moves {@code sold} does, so reconciliation sees both or neither), and
 * marks them not yet returned to Redis ({@code units_returned = false}) until Redis follows.
 */
public final class OrderPayments {

    private static final String READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
    private static final String LOCK_ORDER = """
            SELECT o.status, o.quantity * o.unit_price_cents, s.currency, o.sale_id
            FROM orders o JOIN sales s ON s.id = o.sale_id WHERE o.reservation_id = ? FOR UPDATE OF o""";
    private static final String FIND_EVENT =
            "SELECT reservation_id, amount_cents, currency, outcome FROM payments WHERE event_id = ?";
    private static final String MARK_PAID = """
            UPDATE orders SET status = CASE status WHEN 'CANCELLED' THEN 'PAID_AFTER_CANCEL' ELSE 'PAID' END, paid_at = now()
            WHERE reservation_id = ? AND status IN ('PENDING_PAYMENT', 'CANCELLED')""";
    private static final String INSERT_PAYMENT = """
            INSERT INTO payments (event_id, reservation_id, amount_cents, currency, outcome) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING""";
    private static final String LOCK_SALE = "SELECT 1 FROM sales WHERE id = ? FOR NO KEY UPDATE";
    private static final String CANCEL_ONE = """
            UPDATE orders SET status = 'CANCELLED', cancel_reason = ?, cancelled_at = now(), units_returned = false
            WHERE reservation_id = ? AND sale_id = ? AND buyer_id = ? AND status = 'PENDING_PAYMENT'
            RETURNING reservation_id, buyer_id, quantity""";
    private static final String CANCEL_OVERDUE = """
            UPDATE orders SET status = 'CANCELLED', cancel_reason = 'PAYMENT_EXPIRED', cancelled_at = now(),
                              units_returned = false
            WHERE reservation_id IN (
                    SELECT reservation_id FROM orders
                    WHERE sale_id = ? AND status = 'PENDING_PAYMENT' AND payment_due_at <= now()
                    ORDER BY payment_due_at LIMIT ? FOR UPDATE SKIP LOCKED)
              AND status = 'PENDING_PAYMENT' AND payment_due_at <= now()
            RETURNING reservation_id, buyer_id, quantity""";
    private static final String DECREMENT_SOLD = "UPDATE sales SET sold = sold - ? WHERE id = ?";
    private static final String STATE = """
            SELECT o.reservation_id, o.sale_id, o.buyer_id, o.quantity, o.quantity * o.unit_price_cents, o.status,
                   o.payment_due_at, o.paid_at, o.cancelled_at, o.cancel_reason
            FROM orders o WHERE o.reservation_id = ?""";

    private final DbConnection db;

    public OrderPayments(DbConnection db) {
        this.db = db;
    }

    /**
     * Records a payment notification once per event id: the order becomes PAID if it is PENDING_PAYMENT, or
     * PAID_AFTER_CANCEL if it was cancelled (its units are not taken back); a second payment of a paid order is
     * recorded as {@link PaymentOutcome#ALREADY_PAID}. The amount must be the order's ({@code quantity × unit price}, in
     * the sale's currency). A redelivered event answers what it did the first time and changes nothing.
     */
    public PaymentResult pay(PaymentEvent event) {
        return db.transaction("order.pay", c -> {
            readCommitted(c);
            OrderStatus status;
            long amount;
            String currency;
            String saleId;
            try (PreparedStatement ps = c.prepareStatement(LOCK_ORDER)) {
                ps.setString(1, event.reservationId());
                try (ResultSet row = ps.executeQuery()) {
                    if (!row.next()) {
                        return new PaymentResult.NoOrder();
                    }
                    status = OrderStatus.valueOf(row.getString(1));
                    amount = row.getLong(2);
                    currency = row.getString(3);
                    saleId = row.getString(4);
                }
            }
            // with the order locked, an earlier delivery of this event for it has committed or never will
            Optional<PaymentResult> replay = replay(c, event, saleId);
            if (replay.isPresent()) {
                return replay.get();
            }
            if (amount != event.amountCents() || !currency.equals(event.currency())) {
                return new PaymentResult.AmountMismatch(amount, currency);
            }
            PaymentOutcome outcome = switch (status) {
                case PENDING_PAYMENT -> PaymentOutcome.PAID;
                case CANCELLED -> PaymentOutcome.PAID_AFTER_CANCEL;
                case PAID, PAID_AFTER_CANCEL -> PaymentOutcome.ALREADY_PAID;
                case CONFIRMED -> null;
            };
            if (outcome == null) {
                return new PaymentResult.NotPayable(status);
            }
            if (outcome != PaymentOutcome.ALREADY_PAID) {
                try (PreparedStatement ps = c.prepareStatement(MARK_PAID)) {
                    ps.setString(1, event.reservationId());
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("order " + event.reservationId() + " changed under its lock");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(INSERT_PAYMENT)) {
                ps.setString(1, event.eventId());
                ps.setString(2, event.reservationId());
                ps.setLong(3, event.amountCents());
                ps.setString(4, event.currency());
                ps.setString(5, outcome.name());
                if (ps.executeUpdate() == 0) {
                    // the same event id, for another order, committed meanwhile: undo ours and answer as a replay would
                    c.rollback();
                    return replay(c, event, saleId)
                            .orElseThrow(() -> new IllegalStateException("event " + event.eventId() + " vanished"));
                }
            }
            return new PaymentResult.Recorded(outcome, saleId, event.reservationId(), false);
        });
    }

    private static Optional<PaymentResult> replay(Connection c, PaymentEvent event, String saleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND_EVENT)) {
            ps.setString(1, event.eventId());
            try (ResultSet row = ps.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                boolean same = row.getString(1).equals(event.reservationId())
                        && row.getLong(2) == event.amountCents()
                        && row.getString(3).equals(event.currency());
                return Optional.of(
                        same
                                ? new PaymentResult.Recorded(
                                        PaymentOutcome.valueOf(row.getString(4)), saleId, event.reservationId(), true)
                                : new PaymentResult.EventReused(row.getString(1)));
            }
        }
    }

    /**
     * The buyer's cancellation of their unpaid order: PENDING_PAYMENT → CANCELLED ({@link CancelReason#BUYER_CANCELLED})
     * with its units off {@code sold}, in one transaction. An order in any other state is left as it is.
     */
    public CancelResult cancel(String saleId, String reservationId, String buyerId) {
        return db.transaction("order.cancel", c -> {
            readCommitted(c);
            if (!lockSale(c, saleId)) {
                return new CancelResult.NoOrder();
            }
            try (PreparedStatement ps = c.prepareStatement(CANCEL_ONE)) {
                ps.setString(1, CancelReason.BUYER_CANCELLED.name());
                ps.setString(2, reservationId);
                ps.setString(3, saleId);
                ps.setString(4, buyerId);
                List<CancelledOrder> cancelled = cancelled(c, ps, saleId, CancelReason.BUYER_CANCELLED);
                if (!cancelled.isEmpty()) {
                    return new CancelResult.Cancelled(cancelled.get(0));
                }
            }
            Optional<OrderState> state = state(c, reservationId).filter(o -> o.of(saleId, buyerId));
            return state.isPresent() ? new CancelResult.NotCancellable(state.get()) : new CancelResult.NoOrder();
        });
    }

    /**
     * Cancels up to {@code limit} of the sale's orders past their payment deadline (database clock), earliest deadline
     * first, in one transaction ({@link CancelReason#PAYMENT_EXPIRED}). An order whose row another transaction holds
     * (a payment being recorded) is skipped: the next run looks again.
     */
    public List<CancelledOrder> cancelOverdue(String saleId, int limit) {
        return db.transaction("order.cancel-overdue", c -> {
            readCommitted(c);
            if (!lockSale(c, saleId)) {
                return List.<CancelledOrder>of();
            }
            try (PreparedStatement ps = c.prepareStatement(CANCEL_OVERDUE)) {
                ps.setString(1, saleId);
                ps.setInt(2, limit);
                return cancelled(c, ps, saleId, CancelReason.PAYMENT_EXPIRED);
            }
        });
    }

    /** Runs a cancelling {@code UPDATE ... RETURNING} and takes the units it cancelled off {@code sold}. */
    private static List<CancelledOrder> cancelled(Connection c, PreparedStatement update, String saleId, CancelReason r)
            throws SQLException {
        List<CancelledOrder> cancelled = new ArrayList<>();
        int units = 0;
        try (ResultSet row = update.executeQuery()) {
            while (row.next()) {
                cancelled.add(new CancelledOrder(row.getString(1), saleId, row.getString(2), row.getInt(3), r));
                units += row.getInt(3);
            }
        }
        if (units > 0) {
            try (PreparedStatement ps = c.prepareStatement(DECREMENT_SOLD)) {
                ps.setInt(1, units);
                ps.setString(2, saleId);
                ps.executeUpdate();
            }
        }
        return cancelled;
    }

    /** Sales with orders past their payment deadline, at most {@code limit}, the most overdue first. */
    public List<String> salesWithOverdueOrders(int limit) {
        return db.transaction("order.overdue-sales", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT sale_id FROM orders WHERE status = 'PENDING_PAYMENT' AND payment_due_at <= now()
                    GROUP BY sale_id ORDER BY min(payment_due_at) LIMIT ?""")) {
                ps.setInt(1, limit);
                List<String> ids = new ArrayList<>();
                try (ResultSet row = ps.executeQuery()) {
                    while (row.next()) {
                        ids.add(row.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    /** Records that Redis took back the units of these cancelled orders. */
    public void markUnitsReturned(List<String> reservationIds) {
        if (!reservationIds.isEmpty()) {
            db.transaction("order.units-returned", c -> {
                markUnitsReturned(c, reservationIds);
                return null;
            });
        }
    }

    static void markUnitsReturned(Connection c, List<String> reservationIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE orders SET units_returned = true WHERE reservation_id = ANY (?) AND units_returned = false")) {
            ps.setArray(1, c.createArrayOf("text", reservationIds.toArray()));
            ps.executeUpdate();
        }
    }

    /** The buyer's order under this reservation in this sale, with its payment state; empty if there is none. */
    public Optional<OrderState> state(String saleId, String reservationId, String buyerId) {
        return db.transaction("order.state", c -> state(c, reservationId).filter(o -> o.of(saleId, buyerId)));
    }

    /**
     * The sale's payments to refund (recorded {@link PaymentOutcome#PAID_AFTER_CANCEL} or
     * {@link PaymentOutcome#ALREADY_PAID}), by event id after {@code afterEventId} (null: from the first), at most
     * {@code limit}.
     */
    public List<Refund> refunds(String saleId, String afterEventId, int limit) {
        return db.transaction("order.refunds", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT p.event_id, p.reservation_id, p.amount_cents, p.currency, p.outcome, p.received_at
                    FROM payments p JOIN orders o USING (reservation_id)
                    WHERE o.sale_id = ? AND p.outcome IN ('PAID_AFTER_CANCEL', 'ALREADY_PAID') AND p.event_id > ?
                    ORDER BY p.event_id LIMIT ?""")) {
                ps.setString(1, saleId);
                ps.setString(2, afterEventId == null ? "" : afterEventId);
                ps.setInt(3, limit);
                List<Refund> refunds = new ArrayList<>();
                try (ResultSet row = ps.executeQuery()) {
                    while (row.next()) {
                        refunds.add(new Refund(
                                row.getString(1),
                                row.getString(2),
                                row.getLong(3),
                                row.getString(4),
                                PaymentOutcome.valueOf(row.getString(5)),
                                row.getTimestamp(6).toInstant()));
                    }
                }
                return refunds;
            }
        });
    }

    /** A payment to give back: its order was cancelled before it arrived, or another payment had paid it. */
    public record Refund(
            String eventId,
            String reservationId,
            long amountCents,
            String currency,
            PaymentOutcome outcome,
            Instant receivedAt) {}

    /** The sale's orders and their units by state. */
    public PaymentCounts counts(String saleId) {
        return db.transaction("order.counts", c -> {
            Map<OrderStatus, Long> orders = new EnumMap<>(OrderStatus.class);
            Map<OrderStatus, Long> units = new EnumMap<>(OrderStatus.class);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, count(*), sum(quantity) FROM orders WHERE sale_id = ? GROUP BY status")) {
                ps.setString(1, saleId);
                try (ResultSet row = ps.executeQuery()) {
                    while (row.next()) {
                        OrderStatus status = OrderStatus.valueOf(row.getString(1));
                        orders.put(status, row.getLong(2));
                        units.put(status, row.getLong(3));
                    }
                }
            }
            return new PaymentCounts(orders, units);
        });
    }

    private static Optional<OrderState> state(Connection c, String reservationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STATE)) {
            ps.setString(1, reservationId);
            try (ResultSet row = ps.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String reason = row.getString(10);
                return Optional.of(new OrderState(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getInt(4),
                        row.getLong(5),
                        OrderStatus.valueOf(row.getString(6)),
                        instant(row.getTimestamp(7)),
                        instant(row.getTimestamp(8)),
                        instant(row.getTimestamp(9)),
                        reason == null ? null : CancelReason.valueOf(reason)));
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static boolean lockSale(Connection c, String saleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK_SALE)) {
            ps.setString(1, saleId);
            try (ResultSet row = ps.executeQuery()) {
                return row.next();
            }
        }
    }

    private static void readCommitted(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(READ_COMMITTED);
        }
    }
}

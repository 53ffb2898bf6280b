package dev.flashsale.query;

import dev.flashsale.db.DecidedReservations;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.OrderState;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A buyer's view of their reservations: from Redis, or, when Redis no longer has it (past retention, or lost in a
 * failover), as the database decided it. Another buyer's reservation is indistinguishable from a missing one. An order
 * of a sale with a payment window shows its payment state, which only the database has: a reservation Redis shows
 * CONFIRMED or CANCELLED costs one primary-key read of its order; HELD, CLAIMED and EXPIRED ones none, and neither do
 * reservations of sales without a window (whether a sale has one is read once per sale and environment: it is part of
 * the sale's definition and never changes).
 */
public final class ReservationQueryHandler {

    static final int MAX_SALES_REMEMBERED = 10_000;

    private final ReservationStore store;
    private final DecidedReservations decided;
    private final OrderPayments payments;
    private final SaleRepository sales;
    private final Map<String, Boolean> hasPaymentWindow = new ConcurrentHashMap<>();

    public ReservationQueryHandler(
            ReservationStore store, DecidedReservations decided, OrderPayments payments, SaleRepository sales) {
        this.store = store;
        this.decided = decided;
        this.payments = payments;
        this.sales = sales;
    }

    /** The reservation's JSON view, if the buyer has it. */
    public Optional<Map<String, Object>> find(String saleId, String reservationId, String buyerId) {
        Optional<Reservation> live = store.find(saleId, buyerId, reservationId);
        if (live.isPresent()) {
            ReservationStatus status = live.get().status();
            Map<String, Object> view = ReservationView.of(live.get());
            return Optional.of(
                    status == ReservationStatus.CONFIRMED || status == ReservationStatus.CANCELLED
                            ? withPayment(view, saleId, reservationId, buyerId)
                            : view);
        }
        return decided.find(saleId, reservationId, buyerId)
                .map(d -> d.ordered()
                        ? withPayment(ReservationView.of(d), saleId, reservationId, buyerId)
                        : ReservationView.of(d));
    }

    private Map<String, Object> withPayment(
            Map<String, Object> view, String saleId, String reservationId, String buyerId) {
        if (!hasPaymentWindow(saleId)) {
            return view;
        }
        Optional<OrderState> order = payments.state(saleId, reservationId, buyerId);
        return order.isPresent() && order.get().status() != OrderStatus.CONFIRMED
                ? ReservationView.withPayment(view, order.get())
                : view;
    }

    private boolean hasPaymentWindow(String saleId) {
        Boolean known = hasPaymentWindow.get(saleId);
        if (known != null) {
            return known;
        }
        boolean window = sales.find(saleId).map(r -> r.paymentWindow() != null).orElse(false);
        if (hasPaymentWindow.size() >= MAX_SALES_REMEMBERED) {
            hasPaymentWindow.clear(); // bounded memory; read again when asked
        }
        hasPaymentWindow.put(saleId, window);
        return window;
    }
}

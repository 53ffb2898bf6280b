package dev.flashsale.query;

import dev.flashsale.db.DecidedReservations;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.OrderState;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import java.util.Map;
import java.util.Optional;

/**
 * A buyer's view of their reservations: from Redis, or, when Redis no longer has it (past retention, or lost in a
 * failover), as the database decided it. Another buyer's reservation is indistinguishable from a missing one. An order
 * of a sale with a payment window shows its payment state, which only the database has: a reservation Redis shows
 * CONFIRMED or CANCELLED costs one primary-key read of its order; HELD, CLAIMED and EXPIRED ones none.
 */
public final class ReservationQueryHandler {

    private final ReservationStore store;
    private final DecidedReservations decided;
    private final OrderPayments payments;

    public ReservationQueryHandler(ReservationStore store, DecidedReservations decided, OrderPayments payments) {
        this.store = store;
        this.decided = decided;
        this.payments = payments;
    }

    /** The reservation's JSON view, if the buyer has it. */
    public Optional<Map<String, Object>> find(String saleId, String reservationId, String buyerId) {
        Optional<Reservation> live =
                store.find(saleId, reservationId).filter(r -> r.buyerId().equals(buyerId));
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
        Optional<OrderState> order = payments.state(saleId, reservationId, buyerId);
        return order.isPresent() && order.get().status() != OrderStatus.CONFIRMED
                ? ReservationView.withPayment(view, order.get())
                : view;
    }
}

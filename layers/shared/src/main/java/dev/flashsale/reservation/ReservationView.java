package dev.flashsale.reservation;

import dev.flashsale.db.DecidedReservations;
import dev.flashsale.db.OrderState;
import dev.flashsale.db.ReleaseReason;
import java.util.LinkedHashMap;
import java.util.Map;

/** The API's JSON representation of a reservation. The buyer id and idempotency key are not echoed. */
public final class ReservationView {

    private ReservationView() {}

    public static Map<String, Object> of(Reservation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reservationId", r.id());
        m.put("saleId", r.saleId());
        m.put("quantity", r.quantity());
        m.put("status", r.status().name());
        m.put("createdAt", r.createdAt().toString());
        m.put("expiresAt", r.expiresAt().toString());
        return m;
    }

    /**
     * A reservation Redis no longer has, as the database decided it: {@code CONFIRMED} (an order) or {@code EXPIRED}
     * with the release's {@code reason} ({@code CANCELLED} when its buyer cancelled it); {@code decidedAt} instead of the hold's deadline, which the database does not
     * keep.
     */
    public static Map<String, Object> of(DecidedReservations.Decided d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reservationId", d.reservationId());
        m.put("saleId", d.saleId());
        m.put("quantity", d.quantity());
        m.put(
                "status",
                d.ordered()
                        ? ReservationStatus.CONFIRMED.name()
                        : d.releasedFor() == ReleaseReason.BUYER_CANCELLED
                                ? ReservationStatus.CANCELLED.name()
                                : ReservationStatus.EXPIRED.name());
        if (!d.ordered()) {
            m.put("reason", d.releasedFor().name());
        }
        if (d.heldAt() != null) {
            m.put("createdAt", d.heldAt().toString());
        }
        m.put("decidedAt", d.decidedAt().toString());
        return m;
    }

    /** With the sale's available stock right after this reservation, when it is known (see {@code Held#remaining}). */
    public static Map<String, Object> of(Reservation r, long remaining) {
        Map<String, Object> m = of(r);
        if (remaining >= 0) {
            m.put("remaining", remaining);
        }
        return m;
    }

    /**
     * The view of a reservation whose order has a payment window, with the order's state: {@code status}
     * {@code PENDING_PAYMENT} (and {@code paymentDueAt}), {@code PAID} ({@code paidAt}), {@code CANCELLED}
     * ({@code cancelledAt} and {@code reason}: {@code BUYER_CANCELLED} or {@code PAYMENT_EXPIRED}) or
     * {@code PAID_AFTER_CANCEL} (both: the payment is refunded), and {@code amountCents} due.
     */
    public static Map<String, Object> withPayment(Map<String, Object> view, OrderState order) {
        Map<String, Object> m = new LinkedHashMap<>(view);
        m.put("status", order.status().name());
        m.remove("reason");
        m.put("amountCents", order.amountCents());
        if (order.paymentDueAt() != null) {
            m.put("paymentDueAt", order.paymentDueAt().toString());
        }
        if (order.paidAt() != null) {
            m.put("paidAt", order.paidAt().toString());
        }
        if (order.cancelledAt() != null) {
            m.put("cancelledAt", order.cancelledAt().toString());
            m.put("reason", order.cancelReason().name());
        }
        return m;
    }

    public static String location(Reservation r) {
        return "/sales/" + r.saleId() + "/reservations/" + r.id();
    }
}

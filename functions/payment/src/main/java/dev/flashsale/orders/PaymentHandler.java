package dev.flashsale.orders;

import dev.flashsale.db.CancelResult;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.OrderState;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.PaymentEvent;
import dev.flashsale.db.PaymentResult;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.payment.HoldCancellations;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An order's payment window, as its two parties see it: the payment provider's notification that an order was paid
 * ({@link OrderPayments#pay}, once per event id), and the buyer's cancellation of their unpaid order
 * ({@link OrderCancellations#cancelByBuyer}: the database decides, then Redis takes the units back). Every refusal is a
 * {@link ProblemException} with a precise type, and changes nothing. A problem names the order's state
 * {@code orderStatus} (or a reservation's without order {@code reservationStatus}): {@code status} is RFC 9457's, the
 * HTTP status.
 */
public final class PaymentHandler {

    /** How soon a buyer may try again to cancel a reservation whose confirmation is still queued. */
    static final Duration CONFIRMATION_PENDING_RETRY = Duration.ofSeconds(1);

    private final OrderPayments payments;
    private final OrderCancellations cancellations;
    private final HoldCancellations holds;
    private final OrderFence fence;
    private final SaleRepository sales;
    private final ReservationStore store;

    public PaymentHandler(
            OrderPayments payments,
            OrderCancellations cancellations,
            HoldCancellations holds,
            OrderFence fence,
            SaleRepository sales,
            ReservationStore store) {
        this.payments = payments;
        this.cancellations = cancellations;
        this.holds = holds;
        this.fence = fence;
        this.sales = sales;
        this.store = store;
    }

    /** A cancellation's answer: the order's view, and whether it had been cancelled before (nothing changed now). */
    public record Cancelled(Map<String, Object> view, boolean replayed) {}

    /** Records the payment; a redelivered event answers as the first delivery did ({@code replayed}). */
    public PaymentResult.Recorded pay(PaymentEvent event) {
        return switch (payments.pay(event)) {
            case PaymentResult.Recorded r -> r;
            case PaymentResult.NoOrder n ->
                throw new ProblemException(Problem.of(
                                ProblemType.ORDER_NOT_FOUND,
                                "no order for reservation '" + event.reservationId()
                                        + "': unknown, released, or its confirmation is still queued; nothing was"
                                        + " recorded, and a redelivery may find it")
                        .with("reservationId", event.reservationId()));
            case PaymentResult.AmountMismatch m ->
                throw new ProblemException(Problem.of(
                                ProblemType.AMOUNT_MISMATCH,
                                "the order of reservation '" + event.reservationId() + "' is " + m.expectedCents()
                                        + " " + m.currency() + ", the event says " + event.amountCents() + " "
                                        + event.currency() + "; nothing was recorded")
                        .with("expectedCents", m.expectedCents())
                        .with("currency", m.currency()));
            case PaymentResult.NotPayable p ->
                throw new ProblemException(Problem.of(
                                ProblemType.ORDER_NOT_PAYABLE,
                                "the order of reservation '" + event.reservationId() + "' is " + p.status()
                                        + ": its sale has no payment window, so it is final; nothing was recorded")
                        .with("orderStatus", p.status().name()));
            case PaymentResult.EventReused e ->
                throw new ProblemException(
                        ProblemType.EVENT_ID_REUSED,
                        "event '" + event.eventId()
                                + "' was recorded for another reservation, amount or currency; nothing changed");
        };
    }

    /**
     * The buyer cancels their unpaid order. An order they had cancelled (or that lapsed) answers its view again,
     * {@code replayed}; a paid or final one is refused with its status. A reservation whose order is not written yet
     * (HELD or CLAIMED in Redis: its confirmation is queued) is cancelled through the fence in a sale with a payment
     * window (released {@code BUYER_CANCELLED}, or, if the confirmer ordered it first, cancelled as that order), and
     * refused with a retry hint in a sale without one (its order will be final). Anything else is not found.
     */
    public Cancelled cancel(String saleId, String reservationId, String buyerId) {
        return cancel(saleId, reservationId, buyerId, false);
    }

    /** @param again whether this is the second look, after the confirmer ordered the reservation meanwhile */
    private Cancelled cancel(String saleId, String reservationId, String buyerId, boolean again) {
        return switch (cancellations.cancelByBuyer(saleId, reservationId, buyerId)) {
            case CancelResult.Cancelled c ->
                new Cancelled(
                        view(
                                saleId,
                                reservationId,
                                buyerId,
                                payments.state(saleId, reservationId, buyerId)
                                        .orElseThrow(() -> new IllegalStateException(
                                                "order " + reservationId + " vanished after its cancellation"))),
                        false);
            case CancelResult.NotCancellable n
            when n.state().status() == OrderStatus.CANCELLED ->
                new Cancelled(view(saleId, reservationId, buyerId, n.state()), true);
            case CancelResult.NotCancellable n ->
                throw notCancellable(reservationId, n.state().status());
            case CancelResult.NoOrder n -> cancelHold(saleId, reservationId, buyerId, again);
        };
    }

    /** No order: a hold of this buyer still HELD or CLAIMED, or one they cancelled before, or nothing of theirs. */
    private Cancelled cancelHold(String saleId, String reservationId, String buyerId, boolean again) {
        Optional<Reservation> live = store.find(saleId, buyerId, reservationId);
        if (live.isEmpty()) {
            throw notFound(saleId, reservationId);
        }
        Reservation hold = live.get();
        if (hold.status() == ReservationStatus.CONFIRMED && !again) {
            // the confirmer ordered it between the database's answer and this read: that order is what is cancelled
            return cancel(saleId, reservationId, buyerId, true);
        }
        if (hold.status() == ReservationStatus.CANCELLED
                && fence.find(reservationId).orElse(null) instanceof OrderDecision.Released r
                && r.reason() == ReleaseReason.BUYER_CANCELLED) {
            return new Cancelled(cancelledHoldView(hold), true);
        }
        if (hold.status() != ReservationStatus.HELD && hold.status() != ReservationStatus.CLAIMED) {
            throw notFound(saleId, reservationId);
        }
        boolean paymentWindow =
                sales.find(saleId).map(r -> r.paymentWindow() != null).orElse(false);
        if (!paymentWindow) {
            throw new ProblemException(Problem.of(
                            ProblemType.ORDER_NOT_CANCELLABLE,
                            "reservation '" + reservationId + "' is " + hold.status()
                                    + ": its order is being confirmed, and a sale without a payment window makes it"
                                    + " final")
                    .with("reservationStatus", hold.status().name())
                    .retryAfter(CONFIRMATION_PENDING_RETRY));
        }
        return switch (holds.cancel(store.buckets().home(saleId, buyerId), hold)) {
            case OrderDecision.Released r
            when r.reason() == ReleaseReason.BUYER_CANCELLED -> new Cancelled(cancelledHoldView(hold), !r.now());
            case OrderDecision.Released r ->
                throw new ProblemException(Problem.of(
                                ProblemType.ORDER_NOT_CANCELLABLE,
                                "reservation '" + reservationId + "' was released already (" + r.reason() + ")")
                        .with("reservationStatus", ReservationStatus.EXPIRED.name()));
            // the confirmer ordered it first: that order is what the buyer cancels
            case OrderDecision.Ordered o -> cancel(saleId, reservationId, buyerId, true);
            case OrderDecision.OrderCancelled c -> cancel(saleId, reservationId, buyerId, true);
        };
    }

    private static Map<String, Object> cancelledHoldView(Reservation hold) {
        Map<String, Object> view = ReservationView.of(hold.withStatus(ReservationStatus.CANCELLED));
        view.put("reason", ReleaseReason.BUYER_CANCELLED.name());
        return view;
    }

    private static ProblemException notFound(String saleId, String reservationId) {
        return new ProblemException(
                ProblemType.RESERVATION_NOT_FOUND,
                "you have no order under reservation '" + reservationId + "' in sale '" + saleId + "'");
    }

    private static ProblemException notCancellable(String reservationId, OrderStatus status) {
        String why = switch (status) {
            case PAID -> "it is paid";
            case PAID_AFTER_CANCEL -> "it was paid after its cancellation (the payment is refunded)";
            case CONFIRMED -> "its sale has no payment window: the order is final";
            default -> "it is " + status;
        };
        return new ProblemException(Problem.of(
                        ProblemType.ORDER_NOT_CANCELLABLE,
                        "the order of reservation '" + reservationId + "' cannot be cancelled: " + why)
                .with("orderStatus", status.name()));
    }

    /** As the reservation query shows it: Redis' record when it still has it, with the order's payment state. */
    private Map<String, Object> view(String saleId, String reservationId, String buyerId, OrderState order) {
        Map<String, Object> base = store.find(saleId, buyerId, reservationId)
                .map(ReservationView::of)
                .orElseGet(() -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("reservationId", order.reservationId());
                    m.put("saleId", order.saleId());
                    m.put("quantity", order.quantity());
                    return m;
                });
        return ReservationView.withPayment(base, order);
    }
}

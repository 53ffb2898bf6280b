package dev.flashsale.db;

import java.time.Instant;

/**
 * An order's payment state, for its buyer and the webhook's answers.
 *
 * @param paymentDueAt null unless the sale has a payment window
 * @param paidAt       null unless paid
 * @param cancelledAt  null unless cancelled
 * @param cancelReason null unless cancelled
 */
public record OrderState(
        String reservationId,
        String saleId,
        String buyerId,
        int quantity,
        long amountCents,
        OrderStatus status,
        Instant paymentDueAt,
        Instant paidAt,
        Instant cancelledAt,
        CancelReason cancelReason) {
    /** Whether this is the order of {@code buyerId} in sale {@code saleId}. */
    public boolean of(String saleId, String buyerId) {
        return this.saleId.equals(saleId) && this.buyerId.equals(buyerId);
    }
}

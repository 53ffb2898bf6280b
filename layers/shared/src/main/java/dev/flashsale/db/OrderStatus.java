package dev.flashsale.db;

/**
 * An order's state in the database (docs/payment.md). {@code CONFIRMED} is final: the sale has no payment window. With
 * one, an order starts {@code PENDING_PAYMENT} and becomes {@code PAID} or {@code CANCELLED}, by one conditional
 * transition each; a payment that arrives after the cancellation makes it {@code PAID_AFTER_CANCEL} (to refund).
 */
public enum OrderStatus {
    CONFIRMED,
    PENDING_PAYMENT,
    PAID,
    CANCELLED,
    PAID_AFTER_CANCEL;

    /** The SQL condition on {@code status} of the orders whose units are in {@code sales.sold}. */
    public static final String SOLD_SQL = "status IN ('CONFIRMED', 'PENDING_PAYMENT', 'PAID')";

    /** Whether the order's units are sold (in {@code sales.sold}); a cancelled order's went back to stock. */
    public boolean holdsStock() {
        return this == CONFIRMED || this == PENDING_PAYMENT || this == PAID;
    }
}

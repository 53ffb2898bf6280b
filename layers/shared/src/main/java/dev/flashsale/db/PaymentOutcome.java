package dev.flashsale.db;

/** What a payment notification did to its order. */
public enum PaymentOutcome {
    /** The order was PENDING_PAYMENT and is PAID now. */
    PAID,
    /** The order had been cancelled (its units went back on sale): it is PAID_AFTER_CANCEL, the payment to refund. */
    PAID_AFTER_CANCEL,
    /** Another event had paid the order already: this payment is to refund. */
    ALREADY_PAID
}

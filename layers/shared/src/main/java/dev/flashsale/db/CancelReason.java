package dev.flashsale.db;

/** Why an order was cancelled: its buyer asked, or its payment deadline passed unpaid. */
public enum CancelReason {
    BUYER_CANCELLED,
    PAYMENT_EXPIRED
}

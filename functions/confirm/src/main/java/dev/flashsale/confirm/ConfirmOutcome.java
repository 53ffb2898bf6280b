package dev.flashsale.confirm;

/** What confirming one message did. Every outcome acknowledges the message; failures are exceptions. */
public enum ConfirmOutcome {
    /** The order was written now and the reservation is CONFIRMED. */
    CONFIRMED,
    /** The order existed already (a duplicate or a redelivery); the reservation is CONFIRMED. */
    ALREADY_CONFIRMED,
    /**
     * The database had released the reservation first (its hold or claim had expired, or its buyer cancelled it); it is
     * EXPIRED (CANCELLED), no order.
     */
    RELEASED,
    /** The database refused the order: the sale is sold out there (Redis handed out too much); EXPIRED, no order. */
    REFUSED_SOLD_OUT,
    /** The database refused the order: the buyer's orders would exceed the sale's per-buyer limit; EXPIRED, no order. */
    REFUSED_BUYER_LIMIT,
    /** The database refused the order: the buyer's idempotency key already made another order; EXPIRED, no order. */
    REFUSED_DUPLICATE_KEY,
    /** The order existed and its buyer or its payment deadline has cancelled it since; the reservation is CANCELLED. */
    ORDER_CANCELLED,
    /** The hold's deadline passed before it was claimed; no order (the release job returns its units). */
    HOLD_EXPIRED,
    /** The reservation is EXPIRED or CANCELLED; no order. */
    NOT_HELD,
    /** Redis does not know the reservation and the message cannot restore it (version 1, or a sale the database lacks); no order. */
    UNKNOWN_RESERVATION
}

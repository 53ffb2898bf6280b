package dev.flashsale.db;

/** Why a reservation was released instead of becoming an order. */
public enum ReleaseReason {
    /** Its hold expired before anyone claimed it. */
    HOLD_EXPIRED,
    /** Its claim outlived the confirmer (or the redrive window of a failed confirmation). */
    CLAIM_EXPIRED,
    /** The database refused the order: the sale was sold out there (Redis had handed out more than the stock). */
    SOLD_OUT,
    /** The database refused the order: the buyer's orders would exceed the sale's per-buyer limit. */
    BUYER_LIMIT,
    /** The database refused the order: the buyer's idempotency key already made an order in this sale. */
    DUPLICATE_KEY,
    /** Its buyer cancelled it before it was confirmed (a sale with a payment window, docs/payment.md). */
    BUYER_CANCELLED;

    /**
     * Whether the database refused the order (rather than the reservation running out of time). A refusal means Redis
     * handed out something it should not have (after lost writes): its units may be excess that the stock counter
     * must not get back, unless a reconciliation counted them (see settle.lua).
     */
    public boolean refusal() {
        return this == SOLD_OUT || this == BUYER_LIMIT || this == DUPLICATE_KEY;
    }
}

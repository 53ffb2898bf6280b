package dev.flashsale.db;

/** Why a reservation was released instead of becoming an order. */
public enum ReleaseReason {
    /** Its claim outlived the confirmer; the units go back to stock. */
    CLAIM_EXPIRED,
    /** The database refused the order because the sale was sold out (Redis had handed out more than the stock); the units do not exist to go back. */
    SOLD_OUT;

    public boolean returnsStock() {
        return this == CLAIM_EXPIRED;
    }
}

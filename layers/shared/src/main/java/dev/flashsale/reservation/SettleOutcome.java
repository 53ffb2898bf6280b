package dev.flashsale.reservation;

/** What making Redis follow the database's decision for a reservation did. */
public enum SettleOutcome {
    /** HELD or CLAIMED became CONFIRMED or EXPIRED now. */
    SETTLED,
    /** It had that status already. */
    ALREADY,
    /** It is in another state (Redis lost a write, or a bug): left alone, reported. */
    CONFLICT,
    /** Redis had lost it; it was written back with the decided status. */
    RESTORED,
    /** No such reservation in Redis. */
    UNKNOWN
}

package dev.flashsale.reservation;

/** What making Redis follow the database's decision for a reservation did. */
public enum SettleOutcome {
    /** HELD or CLAIMED became CONFIRMED or EXPIRED now. */
    SETTLED,
    /** It had that status already. */
    ALREADY,
    /** It is in another state (Redis lost a write, or a bug): left alone, reported. */
    CONFLICT,
    /** No such reservation in Redis. */
    UNKNOWN
}

package dev.flashsale.reservation;

/** What settling a claimed reservation in Redis did. */
public enum SettleOutcome {
    /** CLAIMED became CONFIRMED or EXPIRED now. */
    SETTLED,
    /** It had that status already. */
    ALREADY,
    /** It is in another state (Redis lost a write, or a bug): left alone, reported. */
    CONFLICT,
    /** No such reservation in Redis. */
    UNKNOWN
}

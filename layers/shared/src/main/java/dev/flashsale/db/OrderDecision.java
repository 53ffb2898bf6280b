package dev.flashsale.db;

/** What the database decided for a reservation: an order, or a release. Final once committed. */
public sealed interface OrderDecision {

    /** @param now whether this call wrote the order (false: it existed already) */
    record Ordered(boolean now) implements OrderDecision {}

    /** @param now whether this call wrote the release row (false: it existed already) */
    record Released(ReleaseReason reason, boolean now) implements OrderDecision {}
}

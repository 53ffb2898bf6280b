package dev.flashsale.db;

/**
 * What the database decided for a reservation: an order, or a release. Final once committed; an order of a sale with a
 * payment window may be cancelled afterwards ({@link OrderCancelled}).
 */
public sealed interface OrderDecision {

    /** @param now whether this call wrote the order (false: it existed already) */
    record Ordered(boolean now) implements OrderDecision {}

    /**
     * The reservation was ordered and the order has been cancelled since (its units are out of {@code sold}): Redis
     * follows with the reservation CANCELLED and its units back. Met when Redis still shows it HELD or CLAIMED (a
     * failover lost its claim or settle, or a redelivery restored it).
     */
    record OrderCancelled() implements OrderDecision {}

    /** @param now whether this call wrote the release row (false: it existed already) */
    record Released(ReleaseReason reason, boolean now) implements OrderDecision {}
}

package dev.flashsale.invariants;

/**
 * One stock bucket of a sale as {@link InvariantChecker} counted it.
 *
 * @param available    the bucket's counter (Redis), -1 when missing
 * @param allot        units assigned to the bucket (Redis meta.allot; the sale's stock when it has one bucket)
 * @param heldUnits    units of the bucket's HELD reservations and CLAIMED ones the database has not decided yet
 * @param orderedUnits units in orders not cancelled of the buyers whose home the bucket is (database)
 */
public record BucketFigures(int bucket, long available, long allot, long heldUnits, long orderedUnits) {}

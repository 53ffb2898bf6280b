package dev.flashsale.invariants;

import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.reservation.ReservationStatus;
import java.util.List;
import java.util.Map;

/**
 * What {@link InvariantChecker} saw for one sale, and what it found broken.
 *
 * @param stock          the sale's stock (database)
 * @param sold           the sale's sold counter (database)
 * @param orderedUnits   units in orders (database)
 * @param orders         number of orders (database)
 * @param releases       number of release rows (database)
 * @param available      available units (Redis), summed over the sale's buckets as they are (below zero
 *                       while a deficit is paid back; a missing counter counts 0)
 * @param heldUnits      units of HELD reservations and of CLAIMED ones the database has not decided yet
 * @param statusCounts   reservations per status (Redis)
 * @param buckets        the sale's stock buckets (database)
 * @param inTransit      units lent by a bucket and not yet accepted by another (Redis), 0 with one bucket
 * @param perBucket      each bucket's figures, bucket 0 first (one entry for a sale of one bucket)
 */
public record InvariantReport(
        String saleId,
        long stock,
        long sold,
        long orderedUnits,
        int orders,
        int releases,
        long available,
        long heldUnits,
        Map<ReservationStatus, Integer> statusCounts,
        int buckets,
        long inTransit,
        List<BucketFigures> perBucket,
        List<Violation> violations) {

    public boolean ok() {
        return violations.isEmpty();
    }

    public List<Violation> violations(Scope scope) {
        return violations.stream().filter(v -> v.scope() == scope).toList();
    }

    public int count(ReservationStatus status) {
        return statusCounts.getOrDefault(status, 0);
    }

    @Override
    public String toString() {
        return "sale " + saleId + ": stock=" + stock + " sold=" + sold + " orderedUnits=" + orderedUnits + " orders="
                + orders
                + " releases=" + releases + " available=" + available + " heldUnits=" + heldUnits + " statuses="
                + statusCounts
                + (buckets == 1 ? "" : " buckets=" + buckets + " inTransit=" + inTransit)
                + (violations.isEmpty() ? " OK" : " VIOLATIONS " + violations);
    }
}

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
 * @param available      available units (Redis), -1 if the counter is missing
 * @param heldUnits      units of HELD reservations and of CLAIMED ones the database has not decided yet
 * @param statusCounts   reservations per status (Redis)
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
                + (violations.isEmpty() ? " OK" : " VIOLATIONS " + violations);
    }
}

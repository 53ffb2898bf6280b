package dev.flashsale.release;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one release run did.
 *
 * @param sales           sales looked at
 * @param holdsReleased   expired HELD holds returned to stock (a HOLD_EXPIRED release in the database)
 * @param holdsConfirmed  expired HELD holds the database had an order for (Redis had lost the claim): now CONFIRMED
 * @param claimsConfirmed stale claims whose order the database had (now CONFIRMED)
 * @param claimsReleased  stale claims released by the database fence (now EXPIRED)
 * @param skipped         ids that needed nothing (another run or a confirmer got there first)
 * @param errors          ids or sales that failed (logged); retried by the next run
 * @param exhausted       the run stopped at its work or time budget; more may be left for the next run
 */
public record ReleaseSummary(
        int sales,
        int holdsReleased,
        int holdsConfirmed,
        int claimsConfirmed,
        int claimsReleased,
        int skipped,
        int errors,
        boolean exhausted) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sales", sales);
        m.put("holdsReleased", holdsReleased);
        m.put("holdsConfirmed", holdsConfirmed);
        m.put("claimsConfirmed", claimsConfirmed);
        m.put("claimsReleased", claimsReleased);
        m.put("skipped", skipped);
        m.put("errors", errors);
        m.put("exhausted", exhausted);
        return m;
    }
}

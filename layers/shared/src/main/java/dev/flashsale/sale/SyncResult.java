package dev.flashsale.sale;

import dev.flashsale.db.SaleRecord;

/**
 * What {@link SaleSync} did to a sale's stock counter.
 *
 * @param before the counter before (-1 when there was none)
 * @param after  the counter after
 * @param held   units held or claimed-and-undecided in Redis when it ran (0 when the counter was kept)
 * @param buyersCorrected buyers whose units counter was wrong (a failover lost or replayed writes) and was corrected
 * @param unrecorded units the database has in orders that Redis has no record of, neither confirmed nor still held or
 *     claimed (a failover lost confirmed reservations; {@link SaleSync#restoreOrders} writes them back); 0 when the
 *     counter was kept
 * @param returnsFinished units of cancelled orders whose return to Redis an interrupted cancellation had left undone,
 *     returned now (docs/payment.md); they move the counter without being evidence of lost writes
 */
public record SyncResult(
        SaleRecord sale,
        Action action,
        long before,
        long after,
        long held,
        long buyersCorrected,
        long unrecorded,
        long returnsFinished) {

    /** Whether this run found evidence that Redis lost writes: a wrong or missing counter, or orders without records. */
    public boolean lostWrites() {
        return action != Action.UNCHANGED || unrecorded != 0;
    }

    /** In order of the evidence they give (a sale in several buckets reports its buckets' strongest). */
    public enum Action {
        /** A counter existed and, in load-if-absent mode, was kept as it is. */
        KEPT,
        /** The counter was already right (but for the units of returns finished now). */
        UNCHANGED,
        /** No counter existed: created. */
        CREATED,
        /** The counter was wrong and was corrected. */
        RECONCILED
    }
}

package dev.flashsale.sale;

import dev.flashsale.db.SaleRecord;

/**
 * What {@link SaleSync} did to a sale's stock counter.
 *
 * @param before the counter before (-1 when there was none)
 * @param after  the counter after
 * @param held   units held or claimed-and-undecided in Redis when it ran (0 when the counter was kept)
 * @param buyersCorrected buyers whose units counter was wrong (a failover lost or replayed writes) and was corrected
 */
public record SyncResult(SaleRecord sale, Action action, long before, long after, long held, long buyersCorrected) {

    public enum Action {
        /** No counter existed: created. */
        CREATED,
        /** A counter existed and, in load-if-absent mode, was kept as it is. */
        KEPT,
        /** The counter was already right. */
        UNCHANGED,
        /** The counter was wrong and was corrected. */
        RECONCILED
    }
}

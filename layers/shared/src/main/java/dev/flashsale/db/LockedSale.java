package dev.flashsale.db;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sale whose database row is locked ({@code FOR NO KEY UPDATE}) for the rest of a transaction: no order, release or
 * stock change of that sale can commit until it ends, so what is read through it stays true meanwhile.
 */
public interface LockedSale {

    SaleRecord record();

    /** Among {@code reservationIds}, those with an order (their units are in {@code sold}). */
    Set<String> orderedAmong(List<String> reservationIds) throws SQLException;

    /** Each buyer's units in orders of this sale (buyers without orders are left out). */
    Map<String, Integer> orderedUnitsByBuyer() throws SQLException;

    /**
     * The sale's cancelled orders (reservation id → cancel reason), oldest cancellation first, at most {@code limit}:
     * only those whose units Redis has not been recorded to take back, or, {@code all}, every one (after lost writes:
     * a failover may have undone a return that was recorded).
     */
    Map<String, String> cancellations(boolean all, int limit) throws SQLException;

    /** Records that Redis took back the units of these cancelled orders. */
    void markUnitsReturned(List<String> reservationIds) throws SQLException;

    /** The stock change recorded under {@code operationId}, if that operation was applied already. */
    Optional<AppliedStockChange> appliedStockChange(String operationId) throws SQLException;

    /**
     * Adds units to the stock, recording the change under {@code operationId} in the same transaction, and returns the
     * new total. Check {@link #appliedStockChange} first: an operation is applied once.
     */
    int addStock(String operationId, int units) throws SQLException;

    /** A stock change that was applied: how many units it added and the total it left. */
    record AppliedStockChange(int units, int newStock) {}

    @FunctionalInterface
    interface Work<T> {
        T run(LockedSale sale) throws SQLException;
    }
}

package dev.flashsale.db;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * A sale whose database row is locked ({@code FOR NO KEY UPDATE}) for the rest of a transaction: no order, release or
 * stock change of that sale can commit until it ends, so what is read through it stays true meanwhile.
 */
public interface LockedSale {

    SaleRecord record();

    /**
     * Among {@code reservationIds}, those the database has decided in a way that no longer holds stock in Redis' sense:
     * an order (its units are in {@code sold}) or a {@code SOLD_OUT} release (its units never existed).
     */
    Set<String> decidedAmong(List<String> reservationIds) throws SQLException;

    /** Adds units to the stock and returns the new total. */
    int addStock(int units) throws SQLException;

    @FunctionalInterface
    interface Work<T> {
        T run(LockedSale sale) throws SQLException;
    }
}

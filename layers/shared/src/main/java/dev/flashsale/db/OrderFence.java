package dev.flashsale.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;

import dev.flashsale.reservation.Reservation;

/**
 * Decides, once and for all, whether a reservation becomes an order or is released: the database fence.
 *
 * <p>Both deciding transactions lock the sale's row before they look for the other kind of row: {@link #confirm}
 * through the conditional {@code UPDATE} of {@code sold}, {@link #release} with {@code SELECT ... FOR NO KEY UPDATE}.
 * Under READ COMMITTED every statement after the lock sees all that committed before it, so whichever commits first
 * wins and the other sees it; the primary keys make a repeat of the same kind do nothing. The order insert and the
 * {@code sold} increment ({@code sold + quantity <= stock}) commit together or not at all.
 */
public final class OrderFence {

    private static final String INSERT_ORDER = """
            INSERT INTO orders (reservation_id, sale_id, buyer_id, quantity, unit_price_cents, held_at)
            SELECT ?, s.id, ?, ?, s.price_cents, ? FROM sales s WHERE s.id = ?
            ON CONFLICT (reservation_id) DO NOTHING""";
    private static final String INCREMENT_SOLD =
            "UPDATE sales SET sold = sold + ? WHERE id = ? AND sold + ? <= stock";
    private static final String LOCK_SALE = "SELECT 1 FROM sales WHERE id = ? FOR NO KEY UPDATE";
    private static final String INSERT_RELEASE = """
            INSERT INTO releases (reservation_id, sale_id, buyer_id, quantity, reason)
            SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM orders WHERE reservation_id = ?)
            ON CONFLICT (reservation_id) DO NOTHING""";
    private static final String FIND_RELEASE = "SELECT reason FROM releases WHERE reservation_id = ?";
    private static final String FIND_DECISION = """
            SELECT 'ORDER', NULL FROM orders WHERE reservation_id = ?
            UNION ALL
            SELECT 'RELEASE', reason FROM releases WHERE reservation_id = ?""";

    private final DbConnection db;

    public OrderFence(DbConnection db) {
        this.db = db;
    }

    /**
     * Writes the reservation's order and counts its units as sold, unless it was decided before (then that decision is
     * returned) or the sale has too few units left (then it is released as {@link ReleaseReason#SOLD_OUT}).
     *
     * @throws UnknownSaleException when the sale is not in the database
     */
    public OrderDecision confirm(Reservation r) {
        return db.transaction("order.confirm", c -> {
            // 1. The order row. A duplicate of a concurrent, uncommitted twin waits for it here, then does nothing.
            if (insertOrder(c, r) == 0) {
                c.rollback();
                return find(c, r.id()).orElseThrow(() -> new UnknownSaleException(r.saleId()));
            }
            // 2. Count the units, within stock. This locks the sale row until commit.
            if (incrementSold(c, r) == 0) {
                c.rollback();
                return releaseLocked(c, r, ReleaseReason.SOLD_OUT);
            }
            // 3. With the lock held, a release committed before us is visible: it won.
            Optional<ReleaseReason> released = findRelease(c, r.id());
            if (released.isPresent()) {
                c.rollback();
                return new OrderDecision.Released(released.get(), false);
            }
            return new OrderDecision.Ordered(true);
        });
    }

    /**
     * Records that the reservation will never be an order, unless an order exists (then that wins and is returned).
     *
     * @throws UnknownSaleException when the sale is not in the database
     */
    public OrderDecision release(Reservation r, ReleaseReason reason) {
        return db.transaction("order.release", c -> releaseLocked(c, r, reason));
    }

    /** The decision recorded for a reservation, if any. */
    public Optional<OrderDecision> find(String reservationId) {
        return db.transaction("order.find", c -> find(c, reservationId));
    }

    private static OrderDecision releaseLocked(Connection c, Reservation r, ReleaseReason reason) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(LOCK_SALE)) {
            lock.setString(1, r.saleId());
            try (ResultSet rs = lock.executeQuery()) {
                if (!rs.next()) {
                    throw new UnknownSaleException(r.saleId());
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_RELEASE)) {
            ps.setString(1, r.id());
            ps.setString(2, r.saleId());
            ps.setString(3, r.buyerId());
            ps.setInt(4, r.quantity());
            ps.setString(5, reason.name());
            ps.setString(6, r.id());
            if (ps.executeUpdate() == 1) {
                return new OrderDecision.Released(reason, true);
            }
        }
        return find(c, r.id()).orElseThrow(() -> new IllegalStateException("reservation " + r.id() + " has neither order nor release"));
    }

    private static int insertOrder(Connection c, Reservation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_ORDER)) {
            ps.setString(1, r.id());
            ps.setString(2, r.buyerId());
            ps.setInt(3, r.quantity());
            ps.setTimestamp(4, Timestamp.from(r.createdAt()));
            ps.setString(5, r.saleId());
            return ps.executeUpdate();
        }
    }

    private static int incrementSold(Connection c, Reservation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INCREMENT_SOLD)) {
            ps.setInt(1, r.quantity());
            ps.setString(2, r.saleId());
            ps.setInt(3, r.quantity());
            return ps.executeUpdate();
        }
    }

    private static Optional<ReleaseReason> findRelease(Connection c, String reservationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND_RELEASE)) {
            ps.setString(1, reservationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ReleaseReason.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    private static Optional<OrderDecision> find(Connection c, String reservationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND_DECISION)) {
            ps.setString(1, reservationId);
            ps.setString(2, reservationId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(rs.getString(1).equals("ORDER")
                        ? new OrderDecision.Ordered(false)
                        : new OrderDecision.Released(ReleaseReason.valueOf(rs.getString(2)), false));
            }
        }
    }
}

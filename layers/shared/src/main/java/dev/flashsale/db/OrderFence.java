package dev.flashsale.db;

import dev.flashsale.reservation.Reservation;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Decides, once and for all, whether a reservation becomes an order or is released: the database fence.
 *
 * <p>Every deciding transaction locks the sale's row before it looks for the other kind of row: {@link #confirm}
 * through the conditional {@code UPDATE} of {@code sold}, the releases with {@code SELECT ... FOR NO KEY UPDATE}.
 * Under READ COMMITTED every statement after the lock sees all that committed before it, so whichever commits first
 * wins and the other sees it; the primary keys make a repeat of the same kind do nothing, and a unique index makes one
 * idempotency key one order. The order insert and the
 * {@code sold} increment ({@code sold + quantity <= stock}) commit together or not at all, and so does the check of
 * the buyer's ordered units against the sale's per-buyer limit.
 *
 * <p>The argument needs READ COMMITTED (under REPEATABLE READ a transaction keeps the snapshot it took before waiting
 * for the lock, and both rows can commit), so every deciding transaction sets it for itself
 * ({@code SET TRANSACTION}, which lasts one transaction and so pins an RDS Proxy connection for no longer): a server or
 * database whose default isolation is stricter cannot break the fence.
 */
public final class OrderFence {

    private static final String READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
    private static final String INSERT_ORDER = """
            INSERT INTO orders (reservation_id, sale_id, buyer_id, quantity, unit_price_cents, held_at, idempotency_key)
            SELECT ?, s.id, ?, ?, s.price_cents, ?, ? FROM sales s WHERE s.id = ?
            ON CONFLICT DO NOTHING""";
    private static final String INCREMENT_SOLD =
            "UPDATE sales SET sold = sold + ? WHERE id = ? AND sold + ? <= stock RETURNING per_buyer_limit";
    private static final String BUYER_UNITS =
            "SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE sale_id = ? AND buyer_id = ?";
    private static final String LOCK_SALE = "SELECT 1 FROM sales WHERE id = ? FOR NO KEY UPDATE";
    private static final String INSERT_RELEASES = """
            INSERT INTO releases (reservation_id, sale_id, buyer_id, quantity, reason)
            SELECT t.id, ?, t.buyer, t.quantity, ? FROM unnest(?::text[], ?::text[], ?::integer[]) AS t (id, buyer, quantity)
            WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = t.id)
            ON CONFLICT (reservation_id) DO NOTHING
            RETURNING reservation_id""";
    private static final String FIND_RELEASE = "SELECT reason FROM releases WHERE reservation_id = ?";
    private static final String FIND_DECISIONS = """
            SELECT reservation_id, 'ORDER', NULL FROM orders WHERE reservation_id = ANY (?)
            UNION ALL
            SELECT reservation_id, 'RELEASE', reason FROM releases WHERE reservation_id = ANY (?)""";

    private final DbConnection db;

    public OrderFence(DbConnection db) {
        this.db = db;
    }

    /**
     * Writes the reservation's order and counts its units as sold, unless it was decided before (then that decision is
     * returned), the sale has too few units left (then it is released as {@link ReleaseReason#SOLD_OUT}) or the order
     * would take the buyer over the sale's per-buyer limit (released as {@link ReleaseReason#BUYER_LIMIT}).
     *
     * @throws UnknownSaleException when the sale is not in the database
     */
    public OrderDecision confirm(Reservation r) {
        return db.transaction("order.confirm", c -> {
            readCommitted(c);
            // 1. The order row. A duplicate of a concurrent, uncommitted twin waits for it here, then does nothing; so
            // does
            //    another reservation's order made with the same idempotency key (then this one is refused).
            if (insertOrder(c, r) == 0) {
                c.rollback();
                Optional<OrderDecision> decided =
                        find(c, List.of(r.id())).values().stream().findFirst();
                if (decided.isPresent()) {
                    return decided.get();
                }
                return releaseLocked(c, r.saleId(), List.of(r), ReleaseReason.DUPLICATE_KEY)
                        .get(r.id());
            }
            // 2. Count the units, within stock. This locks the sale row until commit.
            OptionalInt limit = incrementSold(c, r);
            if (limit.isEmpty()) {
                c.rollback();
                return releaseLocked(c, r.saleId(), List.of(r), ReleaseReason.SOLD_OUT)
                        .get(r.id());
            }
            // 3. With the lock held, a release committed before us is visible: it won.
            Optional<ReleaseReason> released = findRelease(c, r.id());
            if (released.isPresent()) {
                c.rollback();
                return new OrderDecision.Released(released.get(), false);
            }
            // 4. Every order of this buyer in this sale that committed before us is visible too, and ours is counted.
            if (buyerUnits(c, r) > limit.getAsInt()) {
                c.rollback();
                return releaseLocked(c, r.saleId(), List.of(r), ReleaseReason.BUYER_LIMIT)
                        .get(r.id());
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
        return db.transaction(
                "order.release",
                c -> releaseLocked(c, r.saleId(), List.of(r), reason).get(r.id()));
    }

    /**
     * {@link #release} for many reservations of one sale, in one transaction: each is released unless it has an order,
     * and the decision of each is returned by id.
     *
     * @throws UnknownSaleException when the sale is not in the database
     */
    public Map<String, OrderDecision> releaseAll(String saleId, List<Reservation> reservations, ReleaseReason reason) {
        if (reservations.isEmpty()) {
            return Map.of();
        }
        return db.transaction("order.release", c -> releaseLocked(c, saleId, reservations, reason));
    }

    /** The decision recorded for a reservation, if any. */
    public Optional<OrderDecision> find(String reservationId) {
        return db.transaction(
                "order.find",
                c -> Optional.ofNullable(find(c, List.of(reservationId)).get(reservationId)));
    }

    /** Starts the transaction's segment at READ COMMITTED (a rollback ends the segment, so every segment starts here). */
    private static void readCommitted(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(READ_COMMITTED);
        }
    }

    private static Map<String, OrderDecision> releaseLocked(
            Connection c, String saleId, List<Reservation> rs, ReleaseReason reason) throws SQLException {
        readCommitted(c);
        try (PreparedStatement lock = c.prepareStatement(LOCK_SALE)) {
            lock.setString(1, saleId);
            try (ResultSet rs0 = lock.executeQuery()) {
                if (!rs0.next()) {
                    throw new UnknownSaleException(saleId);
                }
            }
        }
        Set<String> releasedNow = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT_RELEASES)) {
            ps.setString(1, saleId);
            ps.setString(2, reason.name());
            ps.setArray(
                    3, c.createArrayOf("text", rs.stream().map(Reservation::id).toArray()));
            ps.setArray(
                    4,
                    c.createArrayOf(
                            "text", rs.stream().map(Reservation::buyerId).toArray()));
            ps.setArray(
                    5,
                    c.createArrayOf(
                            "integer", rs.stream().map(Reservation::quantity).toArray()));
            try (ResultSet inserted = ps.executeQuery()) {
                while (inserted.next()) {
                    releasedNow.add(inserted.getString(1));
                }
            }
        }
        Map<String, OrderDecision> decisions =
                find(c, rs.stream().map(Reservation::id).toList());
        for (String id : releasedNow) {
            decisions.put(id, new OrderDecision.Released(reason, true));
        }
        for (Reservation r : rs) {
            if (!decisions.containsKey(r.id())) {
                throw new IllegalStateException("reservation " + r.id() + " has neither order nor release");
            }
        }
        return decisions;
    }

    private static int insertOrder(Connection c, Reservation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_ORDER)) {
            ps.setString(1, r.id());
            ps.setString(2, r.buyerId());
            ps.setInt(3, r.quantity());
            ps.setTimestamp(4, Timestamp.from(r.createdAt()));
            ps.setString(5, r.idempotencyKey());
            ps.setString(6, r.saleId());
            return ps.executeUpdate();
        }
    }

    /** The sale's per-buyer limit when the units fit its stock (and the row is now locked); empty when sold out. */
    private static OptionalInt incrementSold(Connection c, Reservation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INCREMENT_SOLD)) {
            ps.setInt(1, r.quantity());
            ps.setString(2, r.saleId());
            ps.setInt(3, r.quantity());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
            }
        }
    }

    private static long buyerUnits(Connection c, Reservation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BUYER_UNITS)) {
            ps.setString(1, r.saleId());
            ps.setString(2, r.buyerId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
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

    /** The decisions recorded for {@code ids}, by id; undecided ids are left out. */
    private static Map<String, OrderDecision> find(Connection c, List<String> ids) throws SQLException {
        Map<String, OrderDecision> decisions = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FIND_DECISIONS)) {
            Array array = c.createArrayOf("text", ids.toArray());
            ps.setArray(1, array);
            ps.setArray(2, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    decisions.put(
                            rs.getString(1),
                            rs.getString(2).equals("ORDER")
                                    ? new OrderDecision.Ordered(false)
                                    : new OrderDecision.Released(ReleaseReason.valueOf(rs.getString(3)), false));
                }
            }
        }
        return decisions;
    }
}

package dev.flashsale.db;

import dev.flashsale.reservation.Reservation;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final String INSERT_ORDERS = """
            INSERT INTO orders (reservation_id, sale_id, buyer_id, quantity, unit_price_cents, held_at, idempotency_key,
                                status, payment_due_at)
            SELECT t.id, s.id, t.buyer, t.quantity, s.price_cents, t.held_at, t.key,
                   CASE WHEN s.payment_window_seconds IS NULL THEN 'CONFIRMED' ELSE 'PENDING_PAYMENT' END,
                   now() + make_interval(secs => s.payment_window_seconds)
            FROM sales s,
                 unnest(?::text[], ?::text[], ?::integer[], ?::timestamptz[], ?::text[]) AS t (id, buyer, quantity, held_at, key)
            WHERE s.id = ?
            ORDER BY t.id
            ON CONFLICT DO NOTHING
            RETURNING reservation_id""";
    private static final String INCREMENT_SOLD_ALL =
            "UPDATE sales SET sold = sold + ? WHERE id = ? AND sold + ? <= stock RETURNING stock, sold, per_buyer_limit";
    private static final String LOCK_SALE_READ =
            "SELECT stock, sold, per_buyer_limit FROM sales WHERE id = ? FOR NO KEY UPDATE";
    private static final String DECREMENT_SOLD = "UPDATE sales SET sold = sold - ? WHERE id = ?";
    private static final String DELETE_ORDERS = "DELETE FROM orders WHERE reservation_id = ANY (?)";
    private static final String BATCH_CHECKS = """
            SELECT 'RELEASE', reservation_id, reason, 0 FROM releases WHERE reservation_id = ANY (?)
            UNION ALL
            SELECT 'ORDER', reservation_id, status, 0 FROM orders WHERE reservation_id = ANY (?)
            UNION ALL
            SELECT 'BUYER', buyer_id, NULL, SUM(quantity) FROM orders
            WHERE sale_id = ? AND buyer_id = ANY (?) AND NOT (reservation_id = ANY (?)) AND %s
            GROUP BY buyer_id""".formatted(OrderStatus.SOLD_SQL);
    private static final String INSERT_REFUSALS = """
            INSERT INTO releases (reservation_id, sale_id, buyer_id, quantity, reason)
            SELECT t.id, ?, t.buyer, t.quantity, t.reason
            FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[]) AS t (id, buyer, quantity, reason)
            WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = t.id)
            ON CONFLICT (reservation_id) DO NOTHING
            RETURNING reservation_id""";
    private static final String LOCK_SALE = "SELECT 1 FROM sales WHERE id = ? FOR NO KEY UPDATE";
    private static final String INSERT_RELEASES = """
            INSERT INTO releases (reservation_id, sale_id, buyer_id, quantity, reason)
            SELECT t.id, ?, t.buyer, t.quantity, ? FROM unnest(?::text[], ?::text[], ?::integer[]) AS t (id, buyer, quantity)
            WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = t.id)
            ON CONFLICT (reservation_id) DO NOTHING
            RETURNING reservation_id""";
    private static final String FIND_DECISIONS = """
            SELECT reservation_id, 'ORDER', status FROM orders WHERE reservation_id = ANY (?)
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
        return confirmAll(r.saleId(), List.of(r)).get(r.id());
    }

    /**
     * {@link #confirm} for many reservations of one sale in one transaction, each decided as if they were confirmed one
     * by one in the order given:
     * <ol>
     *   <li>one multi-row insert of the orders ({@code ON CONFLICT DO NOTHING}, in id order, so that two batches with
     *       the same ids wait for each other in one order); a reservation whose order exists gets it back, one whose
     *       buyer's idempotency key made another order (in the database, or earlier in the list) is refused
     *       {@link ReleaseReason#DUPLICATE_KEY};</li>
     *   <li>one conditional increment of {@code sold} for the units inserted, which locks the sale row until commit; when
     *       they do not all fit the stock, the row is locked without the increment and the reservations are decided one
     *       by one in the order given (a later, smaller one may still fit), those that do not fit are refused
     *       {@link ReleaseReason#SOLD_OUT};</li>
     *   <li>with the lock held, one read of the release rows of these reservations (a release committed first wins)
     *       and of their buyers' ordered units (an order that takes its buyer over the per-buyer limit, counting the
     *       orders before it in the list, is refused {@link ReleaseReason#BUYER_LIMIT});</li>
     *   <li>the orders that lost or were refused are deleted again, their refusals written, and {@code sold} corrected
     *       (or, when the batch did not fit, incremented once by the units kept).</li>
     * </ol>
     * On the common path (everything fits, no duplicate, no release) that is six round trips whatever the batch size:
     * the isolation level, the insert, the increment, the read, the commit, and the first statement's implicit begin.
     *
     * @param reservations of sale {@code saleId}, each id once
     * @return the decision of every reservation by id, in the order given
     * @throws UnknownSaleException when the sale is not in the database
     * @throws IllegalArgumentException when a reservation is of another sale or an id is given twice
     */
    public Map<String, OrderDecision> confirmAll(String saleId, List<Reservation> reservations) {
        if (reservations.isEmpty()) {
            return Map.of();
        }
        Set<String> ids = new HashSet<>();
        for (Reservation r : reservations) {
            if (!r.saleId().equals(saleId)) {
                throw new IllegalArgumentException(
                        "reservation " + r.id() + " is of sale " + r.saleId() + ", not " + saleId);
            }
            if (!ids.add(r.id())) {
                throw new IllegalArgumentException("reservation " + r.id() + " given twice");
            }
        }
        return db.transaction("order.confirm", c -> confirmLocked(c, saleId, reservations));
    }

    /** The sale row as the deciding transaction locked it. */
    private record LockedSale(int stock, int sold, int perBuyerLimit) {}

    private static Map<String, OrderDecision> confirmLocked(Connection c, String saleId, List<Reservation> rs)
            throws SQLException {
        readCommitted(c);
        // 1. The order rows. Of two reservations under one buyer's key in the list, only the first is offered. A
        //    duplicate of a concurrent, uncommitted twin waits for it here, then does nothing.
        List<Reservation> offered = new ArrayList<>(rs.size());
        Set<String> keys = new HashSet<>();
        for (Reservation r : rs) {
            if (r.idempotencyKey() == null || keys.add(r.buyerId() + "\n" + r.idempotencyKey())) {
                offered.add(r);
            }
        }
        Set<String> inserted = insertOrders(c, saleId, offered);
        int insertedUnits = 0;
        for (Reservation r : rs) {
            insertedUnits += inserted.contains(r.id()) ? r.quantity() : 0;
        }
        // 2. Count the units, within stock, in one increment. This locks the sale row until commit. When they do not
        //    all fit, lock the row without it and decide one by one below.
        Optional<LockedSale> incremented =
                insertedUnits > 0 ? incrementSold(c, saleId, insertedUnits) : Optional.empty();
        boolean fits = incremented.isPresent();
        LockedSale sale = fits ? incremented.get() : lockSale(c, saleId);
        // 3. With the lock held, everything committed before us is visible: releases of these reservations (they won),
        //    orders of the ones not inserted, and each buyer's ordered units other than the ones inserted just now.
        Map<String, ReleaseReason> releases = new HashMap<>();
        Set<String> ordered = new HashSet<>();
        Set<String> cancelledOrders = new HashSet<>();
        Map<String, Long> buyerUnits = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(BATCH_CHECKS)) {
            ps.setArray(1, textArray(c, rs.stream().map(Reservation::id)));
            ps.setArray(2, textArray(c, rs.stream().map(Reservation::id).filter(id -> !inserted.contains(id))));
            ps.setString(3, saleId);
            ps.setArray(4, textArray(c, rs.stream().map(Reservation::buyerId).distinct()));
            ps.setArray(5, textArray(c, inserted.stream()));
            try (ResultSet row = ps.executeQuery()) {
                while (row.next()) {
                    switch (row.getString(1)) {
                        case "RELEASE" -> releases.put(row.getString(2), ReleaseReason.valueOf(row.getString(3)));
                        case "ORDER" -> {
                            ordered.add(row.getString(2));
                            if (!OrderStatus.valueOf(row.getString(3)).holdsStock()) {
                                cancelledOrders.add(row.getString(2));
                            }
                        }
                        default -> buyerUnits.put(row.getString(2), row.getLong(4));
                    }
                }
            }
        }
        // 4. Decide in the order given.
        Map<String, OrderDecision> decisions = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        List<Reservation> refused = new ArrayList<>();
        List<String> refusedReasons = new ArrayList<>();
        long remaining = fits ? Long.MAX_VALUE : (long) sale.stock() - sale.sold();
        int keptUnits = 0;
        for (Reservation r : rs) {
            ReleaseReason released = releases.get(r.id());
            ReleaseReason refusal = null;
            if (!inserted.contains(r.id())) {
                if (ordered.contains(r.id())) {
                    decisions.put(
                            r.id(),
                            cancelledOrders.contains(r.id())
                                    ? new OrderDecision.OrderCancelled()
                                    : new OrderDecision.Ordered(false));
                } else if (released != null) {
                    decisions.put(r.id(), new OrderDecision.Released(released, false));
                } else {
                    refusal = ReleaseReason.DUPLICATE_KEY;
                }
            } else if (released != null) {
                decisions.put(r.id(), new OrderDecision.Released(released, false));
                dropped.add(r.id());
            } else if (r.quantity() > remaining) {
                refusal = ReleaseReason.SOLD_OUT;
                dropped.add(r.id());
            } else if (buyerUnits.getOrDefault(r.buyerId(), 0L) + r.quantity() > sale.perBuyerLimit()) {
                refusal = ReleaseReason.BUYER_LIMIT;
                dropped.add(r.id());
            } else {
                buyerUnits.merge(r.buyerId(), (long) r.quantity(), Long::sum);
                remaining -= r.quantity();
                keptUnits += r.quantity();
                decisions.put(r.id(), new OrderDecision.Ordered(true));
            }
            if (refusal != null) {
                refused.add(r);
                refusedReasons.add(refusal.name());
                decisions.put(r.id(), new OrderDecision.Released(refusal, true));
            }
        }
        // 5. Undo what lost, record the refusals, and make sold count exactly the orders kept.
        if (!dropped.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(DELETE_ORDERS)) {
                ps.setArray(1, textArray(c, dropped.stream()));
                ps.executeUpdate();
            }
        }
        if (fits && keptUnits < insertedUnits) {
            try (PreparedStatement ps = c.prepareStatement(DECREMENT_SOLD)) {
                ps.setInt(1, insertedUnits - keptUnits);
                ps.setString(2, saleId);
                ps.executeUpdate();
            }
        }
        if (!fits && keptUnits > 0 && incrementSold(c, saleId, keptUnits).isEmpty()) {
            throw new IllegalStateException(
                    "sale " + saleId + ": " + keptUnits + " units fitted under the lock, then not");
        }
        if (!refused.isEmpty()) {
            insertRefusals(c, saleId, refused, refusedReasons);
        }
        return decisions;
    }

    private static Set<String> insertOrders(Connection c, String saleId, List<Reservation> rs) throws SQLException {
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT_ORDERS)) {
            ps.setArray(1, textArray(c, rs.stream().map(Reservation::id)));
            ps.setArray(2, textArray(c, rs.stream().map(Reservation::buyerId)));
            ps.setArray(
                    3,
                    c.createArrayOf(
                            "integer", rs.stream().map(Reservation::quantity).toArray()));
            ps.setArray(4, textArray(c, rs.stream().map(r -> r.createdAt().toString())));
            ps.setArray(5, textArray(c, rs.stream().map(Reservation::idempotencyKey)));
            ps.setString(6, saleId);
            try (ResultSet row = ps.executeQuery()) {
                while (row.next()) {
                    inserted.add(row.getString(1));
                }
            }
        }
        return inserted;
    }

    /** The locked sale row after adding {@code units} to sold, or empty (nothing changed) when they do not fit. */
    private static Optional<LockedSale> incrementSold(Connection c, String saleId, int units) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INCREMENT_SOLD_ALL)) {
            ps.setInt(1, units);
            ps.setString(2, saleId);
            ps.setInt(3, units);
            try (ResultSet row = ps.executeQuery()) {
                return row.next()
                        ? Optional.of(new LockedSale(row.getInt(1), row.getInt(2), row.getInt(3)))
                        : Optional.empty();
            }
        }
    }

    private static LockedSale lockSale(Connection c, String saleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK_SALE_READ)) {
            ps.setString(1, saleId);
            try (ResultSet row = ps.executeQuery()) {
                if (!row.next()) {
                    throw new UnknownSaleException(saleId);
                }
                return new LockedSale(row.getInt(1), row.getInt(2), row.getInt(3));
            }
        }
    }

    private static void insertRefusals(Connection c, String saleId, List<Reservation> rs, List<String> reasons)
            throws SQLException {
        Set<String> written = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT_REFUSALS)) {
            ps.setString(1, saleId);
            ps.setArray(2, textArray(c, rs.stream().map(Reservation::id)));
            ps.setArray(3, textArray(c, rs.stream().map(Reservation::buyerId)));
            ps.setArray(
                    4,
                    c.createArrayOf(
                            "integer", rs.stream().map(Reservation::quantity).toArray()));
            ps.setArray(5, textArray(c, reasons.stream()));
            try (ResultSet row = ps.executeQuery()) {
                while (row.next()) {
                    written.add(row.getString(1));
                }
            }
        }
        for (Reservation r : rs) {
            if (!written.contains(r.id())) {
                // under the sale's lock no release of it can exist, and its order was never written or was deleted
                throw new IllegalStateException("the refusal of reservation " + r.id() + " was not written");
            }
        }
    }

    private static Array textArray(Connection c, java.util.stream.Stream<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
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

    private static OrderDecision decision(String kind, String detail) {
        if (!kind.equals("ORDER")) {
            return new OrderDecision.Released(ReleaseReason.valueOf(detail), false);
        }
        return OrderStatus.valueOf(detail).holdsStock()
                ? new OrderDecision.Ordered(false)
                : new OrderDecision.OrderCancelled();
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
                    decisions.put(rs.getString(1), decision(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return decisions;
    }
}

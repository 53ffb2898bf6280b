package dev.flashsale.db;

import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Sales in the database, the source of truth for stock. */
public final class SaleRepository {

    private static final String COLUMNS =
            "id, stock, sold, price_cents, currency, per_buyer_limit, per_order_max, starts_at, ends_at, created_at, item, admission, "
                    + "payment_window_seconds, buckets";

    private final DbConnection db;

    public SaleRepository(DbConnection db) {
        this.db = db;
    }

    /** Inserts the sale; returns false if a sale with this id exists already (it is left unchanged). */
    public boolean create(Sale sale, long priceCents, String currency) {
        return create(sale, "", priceCents, currency);
    }

    /** Inserts the sale selling {@code item}; returns false if a sale with this id exists already (it is left unchanged). */
    public boolean create(Sale sale, String item, long priceCents, String currency) {
        return create(sale, item, priceCents, currency, null);
    }

    /**
     * Inserts the sale selling {@code item}, its orders to be paid within {@code paymentWindow} (null: orders are final
     * when confirmed); returns false if a sale with this id exists already (it is left unchanged).
     */
    public boolean create(Sale sale, String item, long priceCents, String currency, Duration paymentWindow) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sales (id, stock, price_cents, currency, per_buyer_limit, per_order_max, starts_at, ends_at, item,
                                       admission, payment_window_seconds, buckets)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
                ps.setString(1, sale.id());
                ps.setInt(2, sale.stock());
                ps.setLong(3, priceCents);
                ps.setString(4, currency);
                ps.setInt(5, sale.perBuyerLimit());
                ps.setInt(6, sale.perOrderMax());
                ps.setTimestamp(7, Timestamp.from(sale.startsAt()));
                ps.setTimestamp(8, Timestamp.from(sale.endsAt()));
                ps.setString(9, item);
                ps.setString(10, sale.admission().wire());
                ps.setObject(
                        11, paymentWindow == null ? null : Math.toIntExact(paymentWindow.toSeconds()), Types.INTEGER);
                ps.setInt(12, sale.buckets());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Sales that have started and ended no earlier than {@code endedSince}: the ones that may still have holds to
     * release. Most recently started first, at most {@code limit}.
     */
    public List<String> startedAndEndedSince(Instant now, Instant endedSince, int limit) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM sales WHERE starts_at <= ? AND ends_at >= ? ORDER BY starts_at DESC, id LIMIT ?")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(endedSince));
                ps.setInt(3, limit);
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    public Optional<SaleRecord> find(String saleId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sales WHERE id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<SaleRecord>empty();
                }
            }
        });
    }

    /** One page of sales ordered by id, those after {@code afterId} (null: from the first), at most {@code limit}. */
    public List<SaleRecord> page(String afterId, int limit) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM sales WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, afterId == null ? "" : afterId);
                ps.setInt(2, limit);
                return readAll(ps);
            }
        });
    }

    /**
     * Sales that prewarm keeps in Redis: not ended at {@code now} and starting no later than {@code startsBefore}
     * (live ones and those starting within the horizon), whose id starts with {@code idPrefix} ("" for all). Earliest
     * start first, at most {@code limit}.
     */
    public List<SaleRecord> openOrStartingBefore(Instant now, Instant startsBefore, String idPrefix, int limit) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS
                            + " FROM sales WHERE ends_at > ? AND starts_at <= ? AND starts_with(id, ?) ORDER BY starts_at, id LIMIT ?")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(startsBefore));
                ps.setString(3, idPrefix);
                ps.setInt(4, limit);
                return readAll(ps);
            }
        });
    }

    /**
     * Runs {@code work} in one transaction holding the sale's row lock ({@code SELECT ... FOR NO KEY UPDATE}, the lock
     * the order fence takes too), so no order, release or stock change of the sale commits meanwhile. Empty when the
     * sale is not in the database. The work may run twice (see {@link DbConnection#transaction}): keep it idempotent.
     * The transaction runs at READ COMMITTED whatever the server's default, as the order fence does.
     */
    public <T> Optional<T> withLocked(String saleId, LockedSale.Work<T> work) {
        return db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
            }
            SaleRecord record;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM sales WHERE id = ? FOR NO KEY UPDATE")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return Optional.<T>empty();
                    }
                    record = read(rs);
                }
            }
            return Optional.ofNullable(work.run(new Locked(c, record)));
        });
    }

    /**
     * The sale's orders made with an idempotency key (all since issue 14), in reservation id order, cancelled ones too
     * (their key stays theirs).
     */
    public List<KeyedOrder> keyedOrders(String saleId) {
        return db.transaction("orders.keyed", c -> {
            List<KeyedOrder> orders = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reservation_id, buyer_id, idempotency_key, quantity, held_at, status FROM orders "
                            + "WHERE sale_id = ? AND idempotency_key IS NOT NULL ORDER BY reservation_id")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        orders.add(new KeyedOrder(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getInt(4),
                                rs.getTimestamp(5).toInstant(),
                                OrderStatus.valueOf(rs.getString(6))));
                    }
                }
            }
            return orders;
        });
    }

    /** An order, the idempotency key its reservation was made with, and its state. */
    public record KeyedOrder(
            String reservationId,
            String buyerId,
            String idempotencyKey,
            int quantity,
            java.time.Instant heldAt,
            OrderStatus status) {}

    private record Locked(Connection c, SaleRecord record) implements LockedSale {

        @Override
        public Set<String> orderedAmong(List<String> reservationIds) throws SQLException {
            Set<String> ordered = new HashSet<>();
            if (reservationIds.isEmpty()) {
                return ordered;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reservation_id FROM orders WHERE reservation_id = ANY (?) AND " + OrderStatus.SOLD_SQL)) {
                ps.setArray(1, c.createArrayOf("text", reservationIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ordered.add(rs.getString(1));
                    }
                }
            }
            return ordered;
        }

        @Override
        public Map<String, Integer> orderedUnitsByBuyer() throws SQLException {
            Map<String, Integer> units = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT buyer_id, SUM(quantity) FROM orders WHERE sale_id = ? AND "
                            + OrderStatus.SOLD_SQL + " GROUP BY buyer_id")) {
                ps.setString(1, record.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        units.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return units;
        }

        @Override
        public Map<String, String> cancellations(boolean all, int limit) throws SQLException {
            Map<String, String> cancelled = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT reservation_id, cancel_reason FROM orders WHERE sale_id = ? AND "
                            + (all ? "units_returned IS NOT NULL" : "units_returned = false")
                            + " ORDER BY cancelled_at, reservation_id LIMIT ?")) {
                ps.setString(1, record.id());
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cancelled.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return cancelled;
        }

        @Override
        public void markUnitsReturned(List<String> reservationIds) throws SQLException {
            OrderPayments.markUnitsReturned(c, reservationIds);
        }

        @Override
        public Optional<AppliedStockChange> appliedStockChange(String operationId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT units, new_stock FROM stock_changes WHERE sale_id = ? AND operation_id = ?")) {
                ps.setString(1, record.id());
                ps.setString(2, operationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new AppliedStockChange(rs.getInt(1), rs.getInt(2)))
                            : Optional.empty();
                }
            }
        }

        @Override
        public int addStock(String operationId, int units) throws SQLException {
            int total;
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE sales SET stock = stock + ? WHERE id = ? RETURNING stock")) {
                ps.setInt(1, units);
                ps.setString(2, record.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO stock_changes (sale_id, operation_id, units, new_stock) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, record.id());
                ps.setString(2, operationId);
                ps.setInt(3, units);
                ps.setInt(4, total);
                ps.executeUpdate();
            }
            return total;
        }
    }

    private static List<SaleRecord> readAll(PreparedStatement ps) throws SQLException {
        List<SaleRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    private static SaleRecord read(ResultSet rs) throws SQLException {
        Sale sale = new Sale(
                rs.getString("id"),
                rs.getInt("stock"),
                rs.getInt("per_buyer_limit"),
                rs.getInt("per_order_max"),
                rs.getTimestamp("starts_at").toInstant(),
                rs.getTimestamp("ends_at").toInstant(),
                Admission.ofWire(rs.getString("admission"))
                        .orElseThrow(() -> new IllegalStateException("unknown admission in the database")),
                rs.getInt("buckets"));
        return new SaleRecord(
                sale,
                rs.getString("item"),
                rs.getLong("price_cents"),
                rs.getString("currency"),
                rs.getInt("sold"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getObject("payment_window_seconds") == null
                        ? null
                        : Duration.ofSeconds(rs.getInt("payment_window_seconds")));
    }
}

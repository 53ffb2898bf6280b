package dev.flashsale.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.flashsale.sale.Sale;

/** Sales in the database, the source of truth for stock. */
public final class SaleRepository {

    private final DbConnection db;

    public SaleRepository(DbConnection db) {
        this.db = db;
    }

    /** Inserts the sale; returns false if a sale with this id exists already (it is left unchanged). */
    public boolean create(Sale sale, long priceCents, String currency) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sales (id, stock, price_cents, currency, per_buyer_limit, per_order_max, starts_at, ends_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
                ps.setString(1, sale.id());
                ps.setInt(2, sale.stock());
                ps.setLong(3, priceCents);
                ps.setString(4, currency);
                ps.setInt(5, sale.perBuyerLimit());
                ps.setInt(6, sale.perOrderMax());
                ps.setTimestamp(7, Timestamp.from(sale.startsAt()));
                ps.setTimestamp(8, Timestamp.from(sale.endsAt()));
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
}

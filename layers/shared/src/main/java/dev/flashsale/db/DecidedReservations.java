package dev.flashsale.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * What the database decided for a reservation, read back for its buyer: the order, or the release and its reason. The
 * answer to "what became of my reservation" when Redis no longer has it (past retention, or lost in a failover).
 */
public final class DecidedReservations {

    private static final String FIND = """
            SELECT quantity, NULL, held_at, created_at FROM orders WHERE reservation_id = ? AND sale_id = ? AND buyer_id = ?
            UNION ALL
            SELECT quantity, reason, NULL, released_at FROM releases WHERE reservation_id = ? AND sale_id = ? AND buyer_id = ?""";

    private final DbConnection db;

    public DecidedReservations(DbConnection db) {
        this.db = db;
    }

    /** The buyer's decided reservation; empty when undecided, unknown, or another buyer's. */
    public Optional<Decided> find(String saleId, String reservationId, String buyerId) {
        return db.transaction("reservation.decided", c -> {
            try (PreparedStatement ps = c.prepareStatement(FIND)) {
                for (int i = 0; i < 2; i++) {
                    ps.setString(1 + 3 * i, reservationId);
                    ps.setString(2 + 3 * i, saleId);
                    ps.setString(3 + 3 * i, buyerId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Decided>empty();
                    }
                    String reason = rs.getString(2);
                    Timestamp heldAt = rs.getTimestamp(3);
                    return Optional.of(new Decided(
                            reservationId,
                            saleId,
                            rs.getInt(1),
                            reason == null ? null : ReleaseReason.valueOf(reason),
                            heldAt == null ? null : heldAt.toInstant(),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        });
    }

    /**
     * @param releasedFor null for an order, else why the reservation was released
     * @param heldAt      when the hold was taken (orders only; null for a release)
     * @param decidedAt   when the order or the release was written
     */
    public record Decided(
            String reservationId,
            String saleId,
            int quantity,
            ReleaseReason releasedFor,
            Instant heldAt,
            Instant decidedAt) {

        public boolean ordered() {
            return releasedFor == null;
        }
    }
}

package dev.flashsale.invariants;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one sale from Redis and the database and reports every broken invariant. Read-only. Redis and the database
 * are read one after the other, not in one snapshot, so run it when the sale is quiet (tests, after a benchmark).
 *
 * <p>Always checked:
 * <ul>
 *   <li>database: {@code sold <= stock}; {@code sold} equals the units in orders not cancelled; no reservation has both an order and
 *       a release row; no buyer's orders exceed the sale's per-buyer limit</li>
 *   <li>Redis: the holds set lists exactly the HELD reservations and the claims set exactly the CLAIMED ones; each
 *       buyer's unit count equals their HELD, CLAIMED and CONFIRMED units. (Available stock may be negative: the
 *       deficit a reconciliation found after lost writes, paid back as excess holds are decided.)</li>
 *   <li>across: {@code available + held and claimed units not yet ordered (Redis) + ordered units (database, not
 *       cancelled) + units of cancelled orders Redis still shows CONFIRMED == stock}; a CONFIRMED reservation has an
 *       order; a reservation whose order is not cancelled is not EXPIRED or CANCELLED</li>
 * </ul>
 * When {@code settled} (every hold has expired, the release job and, after a crash, reconciliation have run): no
 * reservation is HELD or CLAIMED, and every order's reservation is in Redis, CONFIRMED, or CANCELLED when its order
 * was cancelled.
 */
public final class InvariantChecker {

    private final RedisConnection redis;
    private final DbConnection db;

    public InvariantChecker(RedisConnection redis, DbConnection db) {
        this.redis = redis;
        this.db = db;
    }

    /** {@link #check}, for tests: an {@link AssertionError} naming every violation when there is any. */
    public InvariantReport requireOk(String saleId, boolean settled) {
        InvariantReport report = check(saleId, settled);
        if (!report.ok()) {
            throw new AssertionError(report.toString());
        }
        return report;
    }

    public InvariantReport check(String saleId, boolean settled) {
        List<Violation> v = new ArrayList<>();
        DbView d = readDatabase(saleId);
        SaleKeys k = new SaleKeys(saleId);
        String stockText = redis.call(c -> c.get(k.stock()));
        Map<String, String> raw = redis.call(c -> c.hgetAll(k.reservations()));
        Set<String> holds = new HashSet<>(redis.call(c -> c.zrange(k.holds(), 0, -1)));
        Set<String> claims = new HashSet<>(redis.call(c -> c.zrange(k.claims(), 0, -1)));
        Map<String, String> units = redis.call(c -> c.hgetAll(k.units()));
        List<String> meta = redis.call(c -> c.hmget(k.meta(), "reconciled", "confirmed"));
        String reconciled = meta.get(0);
        long reconciledAt = reconciled == null ? 0 : Long.parseLong(reconciled);

        // Database alone.
        if (!d.exists) {
            v.add(new Violation(Scope.DATABASE, "sale " + saleId + " is not in the database"));
        }
        if (d.sold > d.stock) {
            v.add(new Violation(Scope.DATABASE, "sold " + d.sold + " exceeds stock " + d.stock));
        }
        long orderedUnits = d.orders.entrySet().stream()
                .filter(e -> !d.cancelled.contains(e.getKey()))
                .mapToLong(e -> e.getValue().longValue())
                .sum();
        if (d.sold != orderedUnits) {
            v.add(new Violation(
                    Scope.DATABASE,
                    "sold " + d.sold + " differs from the " + orderedUnits + " units in orders not cancelled"));
        }
        for (String id : d.orders.keySet()) {
            if (d.releases.containsKey(id)) {
                v.add(new Violation(Scope.DATABASE, "reservation " + id + " has both an order and a release"));
            }
        }
        d.orderedByBuyer.forEach((buyer, ordered) -> {
            if (ordered > d.perBuyerLimit) {
                v.add(new Violation(
                        Scope.DATABASE,
                        "buyer " + buyer + " has orders for " + ordered + " units, over the limit of "
                                + d.perBuyerLimit));
            }
        });

        // Redis alone.
        long available = stockText == null ? 0 : Long.parseLong(stockText);
        if (stockText == null) {
            v.add(new Violation(Scope.REDIS, "no available-stock counter"));
        }
        Map<ReservationStatus, Integer> counts = new EnumMap<>(ReservationStatus.class);
        Map<String, Long> unitsByBuyer = new HashMap<>();
        Map<String, Reservation> reservations = new HashMap<>();
        long heldUnits = 0;
        for (Map.Entry<String, String> e : raw.entrySet()) {
            Reservation r = ReservationCodec.decode(saleId, e.getValue());
            reservations.put(e.getKey(), r);
            counts.merge(r.status(), 1, Integer::sum);
            if ((r.status() == ReservationStatus.HELD || r.status() == ReservationStatus.CLAIMED)
                    && stillHeld(d, r, reconciledAt)) {
                heldUnits += r.quantity();
            }
            if (r.status().holdsStock()) {
                unitsByBuyer.merge(r.buyerId(), (long) r.quantity(), Long::sum);
            }
            if ((r.status() == ReservationStatus.HELD) != holds.contains(e.getKey())) {
                v.add(new Violation(
                        Scope.REDIS,
                        "reservation " + e.getKey() + " is " + r.status()
                                + (holds.contains(e.getKey()) ? " but listed" : " but not listed")
                                + " in the holds set"));
            }
            if ((r.status() == ReservationStatus.CLAIMED) != claims.contains(e.getKey())) {
                v.add(new Violation(
                        Scope.REDIS,
                        "reservation " + e.getKey() + " is " + r.status()
                                + (claims.contains(e.getKey()) ? " but listed" : " but not listed")
                                + " in the claims set"));
            }
        }
        long confirmedUnits = reservations.values().stream()
                .filter(r -> r.status() == ReservationStatus.CONFIRMED)
                .mapToLong(Reservation::quantity)
                .sum();
        if (meta.get(1) != null && Long.parseLong(meta.get(1)) != confirmedUnits) {
            v.add(new Violation(
                    Scope.REDIS,
                    "meta.confirmed says " + meta.get(1) + " units, the CONFIRMED reservations hold "
                            + confirmedUnits));
        }
        for (String id : holds) {
            if (!raw.containsKey(id)) {
                v.add(new Violation(Scope.REDIS, "the holds set lists unknown reservation " + id));
            }
        }
        for (String id : claims) {
            if (!raw.containsKey(id)) {
                v.add(new Violation(Scope.REDIS, "the claims set lists unknown reservation " + id));
            }
        }
        Set<String> buyers = new HashSet<>(unitsByBuyer.keySet());
        buyers.addAll(units.keySet());
        for (String buyer : buyers) {
            long counted = units.containsKey(buyer) ? Long.parseLong(units.get(buyer)) : 0;
            long expected = unitsByBuyer.getOrDefault(buyer, 0L);
            if (counted != expected) {
                v.add(new Violation(
                        Scope.REDIS, "buyer " + buyer + " is counted for " + counted + " units but has " + expected));
            }
        }

        // Across. A cancelled order whose record Redis still shows CONFIRMED has left `sold` but not yet come back to
        // the counter (Redis follows the database; a crash between them is finished by reconciliation).
        long returning = reservations.values().stream()
                .filter(r -> r.status() == ReservationStatus.CONFIRMED && d.cancelled.contains(r.id()))
                .mapToLong(Reservation::quantity)
                .sum();
        if (stockText != null && available + heldUnits + orderedUnits + returning != d.stock) {
            v.add(new Violation(
                    Scope.CROSS,
                    "available " + available + " + held " + heldUnits + " + ordered " + orderedUnits
                            + " + cancelled not yet returned " + returning + " = "
                            + (available + heldUnits + orderedUnits + returning) + ", not the stock " + d.stock));
        }
        for (Reservation r : reservations.values()) {
            if (r.status() == ReservationStatus.CONFIRMED && !d.orders.containsKey(r.id())) {
                v.add(new Violation(Scope.CROSS, "reservation " + r.id() + " is CONFIRMED in Redis but has no order"));
            }
            if ((r.status() == ReservationStatus.EXPIRED || r.status() == ReservationStatus.CANCELLED)
                    && d.orders.containsKey(r.id())
                    && !d.cancelled.contains(r.id())) {
                v.add(new Violation(
                        Scope.CROSS,
                        "reservation " + r.id() + " is " + r.status() + " in Redis but has an order not cancelled"));
            }
            if (settled && r.status() == ReservationStatus.CONFIRMED && d.cancelled.contains(r.id())) {
                v.add(new Violation(
                        Scope.CROSS,
                        "order " + r.id() + " is cancelled but Redis still shows it CONFIRMED after settling"));
            }
            if (settled && (r.status() == ReservationStatus.HELD || r.status() == ReservationStatus.CLAIMED)) {
                v.add(new Violation(
                        Scope.CROSS, "reservation " + r.id() + " is still " + r.status() + " after settling"));
            }
        }
        if (settled) {
            for (String id : d.orders.keySet()) {
                Reservation r = reservations.get(id);
                ReservationStatus expected =
                        d.cancelled.contains(id) ? ReservationStatus.CANCELLED : ReservationStatus.CONFIRMED;
                if (r == null) {
                    v.add(new Violation(Scope.CROSS, "order " + id + " has no reservation in Redis"));
                } else if (r.status() != expected) {
                    v.add(new Violation(
                            Scope.CROSS, "order " + id + " has its reservation " + r.status() + " in Redis"));
                }
            }
        }
        return new InvariantReport(
                saleId,
                d.stock,
                d.sold,
                orderedUnits,
                d.orders.size(),
                d.releases.size(),
                available,
                heldUnits,
                counts,
                List.copyOf(v));
    }

    /**
     * Whether a HELD or CLAIMED reservation's units still count as held: not when the database ordered it (they are
     * counted as ordered), nor when the database refused it and no reconciliation counted it (settle.lua will not
     * return them: they were the excess of lost writes). A released one otherwise still holds its units until Redis
     * follows and returns them.
     */
    private static boolean stillHeld(DbView d, Reservation r, long reconciledAt) {
        if (d.orders.containsKey(r.id())) {
            return false;
        }
        String reason = d.releases.get(r.id());
        boolean refused = reason != null && ReleaseReason.valueOf(reason).refusal();
        return !refused || r.createdAt().toEpochMilli() <= reconciledAt;
    }

    private record DbView(
            boolean exists,
            long stock,
            long sold,
            int perBuyerLimit,
            Map<String, Integer> orders,
            Set<String> cancelled,
            Map<String, Long> orderedByBuyer,
            Map<String, String> releases) {}

    private DbView readDatabase(String saleId) {
        return db.transaction(c -> {
            boolean exists = false;
            long stock = 0;
            long sold = 0;
            int perBuyerLimit = Integer.MAX_VALUE;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT stock, sold, per_buyer_limit FROM sales WHERE id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        stock = rs.getLong(1);
                        sold = rs.getLong(2);
                        perBuyerLimit = rs.getInt(3);
                    }
                }
            }
            Map<String, Integer> orders = new HashMap<>();
            Set<String> cancelled = new HashSet<>();
            Map<String, Long> orderedByBuyer = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reservation_id, quantity, buyer_id, status FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        orders.put(rs.getString(1), rs.getInt(2));
                        if (OrderStatus.valueOf(rs.getString(4)).holdsStock()) {
                            orderedByBuyer.merge(rs.getString(3), (long) rs.getInt(2), Long::sum);
                        } else {
                            cancelled.add(rs.getString(1));
                        }
                    }
                }
            }
            Map<String, String> releases = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT reservation_id, reason FROM releases WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        releases.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return new DbView(exists, stock, sold, perBuyerLimit, orders, cancelled, orderedByBuyer, releases);
        });
    }
}

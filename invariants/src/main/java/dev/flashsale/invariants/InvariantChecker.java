package dev.flashsale.invariants;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.redis.Buckets;
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
import java.util.stream.LongStream;

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
 *
 * <p>A sale split into several stock buckets (the database's {@code sales.buckets}) is read bucket by bucket and the
 * checks above apply to the buckets together, with the Redis ones inside each bucket (its sets, its buyers' counts,
 * its meta.confirmed). Besides:
 * <ul>
 *   <li>Redis: each reservation and each buyer's count sit in the buyer's home bucket; the buckets' allotments plus
 *       the units in transit (lent by one bucket, not yet accepted by another) make the stock; the sum across
 *       includes the units in transit</li>
 *   <li>across, per bucket: {@code available + held + units ordered by the buyers it is home to + their cancelled units
 *       Redis still shows CONFIRMED == its allotment}</li>
 *   <li>when settled: no transfer in transit, none accepted without its lend</li>
 * </ul>
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
        int count = d.buckets;
        List<BucketSnapshot> buckets = new ArrayList<>(count);
        for (SaleKeys k : Buckets.all(saleId, count)) {
            buckets.add(BucketSnapshot.read(redis, k));
        }

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

        // Redis alone, bucket by bucket: each reservation in its own bucket's sets, each buyer counted in the bucket
        // that holds their reservations, which must be their home.
        Map<ReservationStatus, Integer> counts = new EnumMap<>(ReservationStatus.class);
        Map<String, Reservation> reservations = new HashMap<>();
        Map<String, Integer> bucketOf = new HashMap<>();
        long[] held = new long[count];
        long available = 0;
        for (BucketSnapshot b : buckets) {
            String in = count == 1 ? "" : " in bucket " + b.bucket();
            if (b.counter() == null) {
                v.add(new Violation(
                        Scope.REDIS,
                        count == 1
                                ? "no available-stock counter"
                                : "bucket " + b.bucket() + " has no available-stock counter"));
            }
            available += b.available();
            Map<String, Long> unitsByBuyer = new HashMap<>();
            long confirmedUnits = 0;
            for (Map.Entry<String, String> e : b.reservations().entrySet()) {
                Reservation r = ReservationCodec.decode(saleId, e.getValue());
                Integer other = bucketOf.putIfAbsent(e.getKey(), b.bucket());
                if (other != null) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "reservation " + e.getKey() + " is in bucket " + other + " and in bucket " + b.bucket()));
                    continue;
                }
                reservations.put(e.getKey(), r);
                counts.merge(r.status(), 1, Integer::sum);
                if (count > 1 && Buckets.home(r.buyerId(), count) != b.bucket()) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "reservation " + r.id() + " of buyer " + r.buyerId() + " is in bucket " + b.bucket()
                                    + ", not in their home bucket " + Buckets.home(r.buyerId(), count)));
                }
                if ((r.status() == ReservationStatus.HELD || r.status() == ReservationStatus.CLAIMED)
                        && stillHeld(d, r, b.reconciledAt())) {
                    held[b.bucket()] += r.quantity();
                }
                if (r.status().holdsStock()) {
                    unitsByBuyer.merge(r.buyerId(), (long) r.quantity(), Long::sum);
                }
                if (r.status() == ReservationStatus.CONFIRMED) {
                    confirmedUnits += r.quantity();
                }
                if ((r.status() == ReservationStatus.HELD) != b.holds().contains(e.getKey())) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "reservation " + e.getKey() + " is " + r.status()
                                    + (b.holds().contains(e.getKey()) ? " but listed" : " but not listed")
                                    + " in the holds set" + in));
                }
                if ((r.status() == ReservationStatus.CLAIMED) != b.claims().contains(e.getKey())) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "reservation " + e.getKey() + " is " + r.status()
                                    + (b.claims().contains(e.getKey()) ? " but listed" : " but not listed")
                                    + " in the claims set" + in));
                }
            }
            if (b.confirmed() != null && Long.parseLong(b.confirmed()) != confirmedUnits) {
                v.add(new Violation(
                        Scope.REDIS,
                        "meta.confirmed" + in + " says " + b.confirmed() + " units, the CONFIRMED reservations hold "
                                + confirmedUnits));
            }
            for (String id : b.holds()) {
                if (!b.reservations().containsKey(id)) {
                    v.add(new Violation(Scope.REDIS, "the holds set" + in + " lists unknown reservation " + id));
                }
            }
            for (String id : b.claims()) {
                if (!b.reservations().containsKey(id)) {
                    v.add(new Violation(Scope.REDIS, "the claims set" + in + " lists unknown reservation " + id));
                }
            }
            Set<String> buyers = new HashSet<>(unitsByBuyer.keySet());
            buyers.addAll(b.units().keySet());
            for (String buyer : buyers) {
                long counted =
                        b.units().containsKey(buyer) ? Long.parseLong(b.units().get(buyer)) : 0;
                long expected = unitsByBuyer.getOrDefault(buyer, 0L);
                if (counted != expected) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "buyer " + buyer + " is counted for " + counted + " units but has " + expected + in));
                }
                if (count > 1 && counted != 0 && Buckets.home(buyer, count) != b.bucket()) {
                    v.add(new Violation(
                            Scope.REDIS,
                            "buyer " + buyer + " is counted in bucket " + b.bucket() + ", not in their home bucket "
                                    + Buckets.home(buyer, count)));
                }
            }
        }
        long heldUnits = LongStream.of(held).sum();

        // Across. A cancelled order whose record Redis still shows CONFIRMED has left `sold` but not yet come back to
        // the counter (Redis follows the database; a crash between them is finished by reconciliation).
        long[] returning = new long[count];
        reservations.forEach((id, r) -> {
            if (r.status() == ReservationStatus.CONFIRMED && d.cancelled.contains(r.id())) {
                returning[bucketOf.get(id)] += r.quantity();
            }
        });
        long returningUnits = LongStream.of(returning).sum();
        TransferJournal transfers = TransferJournal.of(buckets);
        long inTransit = transfers.unitsInTransit();
        boolean counters = buckets.stream().allMatch(b -> b.counter() != null);
        long total = available + heldUnits + orderedUnits + returningUnits + inTransit;
        if (counters && total != d.stock) {
            v.add(new Violation(
                    Scope.CROSS,
                    "available " + available + " + held " + heldUnits + " + ordered " + orderedUnits
                            + " + cancelled not yet returned " + returningUnits
                            + (count == 1 ? "" : " + in transit " + inTransit) + " = " + total + ", not the stock "
                            + d.stock));
        }
        long[] ordered = new long[count];
        d.orderedByBuyer.forEach((buyer, units) -> ordered[Buckets.home(buyer, count)] += units);
        List<BucketFigures> figures = new ArrayList<>(count);
        for (BucketSnapshot b : buckets) {
            int i = b.bucket();
            long allot = count == 1 ? d.stock : b.allot() == null ? 0 : Long.parseLong(b.allot());
            figures.add(new BucketFigures(i, b.counter() == null ? -1 : b.available(), allot, held[i], ordered[i]));
        }
        if (count > 1) {
            checkBuckets(v, d, buckets, figures, returning, transfers, settled);
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
                count,
                inTransit,
                List.copyOf(figures),
                List.copyOf(v));
    }

    /**
     * The checks of a sale split into several buckets: the units assigned to the buckets and those moving between them
     * make the stock; each bucket's own units (available, held, ordered by the buyers it is home to, cancelled but not
     * yet returned to it) make its allotment; nothing is left moving once settled.
     */
    private static void checkBuckets(
            List<Violation> v,
            DbView d,
            List<BucketSnapshot> buckets,
            List<BucketFigures> figures,
            long[] returning,
            TransferJournal transfers,
            boolean settled) {
        for (String entry : transfers.malformed()) {
            v.add(new Violation(Scope.REDIS, entry));
        }
        boolean allotted = true;
        for (BucketSnapshot b : buckets) {
            if (b.allot() == null) {
                allotted = false;
                v.add(new Violation(Scope.REDIS, "bucket " + b.bucket() + " has no allotment (meta.allot)"));
            }
        }
        long allots = figures.stream().mapToLong(BucketFigures::allot).sum();
        long inTransit = transfers.unitsInTransit();
        if (allotted && allots + inTransit != d.stock) {
            v.add(new Violation(
                    Scope.REDIS,
                    "allotments " + allots + " + in transit " + inTransit + " = " + (allots + inTransit)
                            + ", not the stock " + d.stock
                            + (transfers.unjournalled().isEmpty()
                                    ? ""
                                    : " (accepted with no lend journalled: " + transfers.unitsUnjournalled()
                                            + " units)")));
        }
        for (BucketFigures f : figures) {
            BucketSnapshot b = buckets.get(f.bucket());
            if (b.counter() == null || b.allot() == null) {
                continue;
            }
            long sum = f.available() + f.heldUnits() + f.orderedUnits() + returning[f.bucket()];
            if (sum != f.allot()) {
                v.add(new Violation(
                        Scope.CROSS,
                        "bucket " + f.bucket() + ": available " + f.available() + " + held " + f.heldUnits()
                                + " + ordered by its buyers " + f.orderedUnits() + " + cancelled not yet returned "
                                + returning[f.bucket()] + " = " + sum + ", not its allotment " + f.allot()));
            }
        }
        if (settled) {
            for (TransferJournal.Transfer t : transfers.inTransit()) {
                v.add(new Violation(Scope.REDIS, t + " is still in transit after settling"));
            }
            for (TransferJournal.Transfer t : transfers.unjournalled()) {
                v.add(new Violation(Scope.REDIS, t + " was accepted but its donor has no record of it after settling"));
            }
        }
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

    /** @param buckets the sale's stock buckets (1 when the sale is not in the database) */
    private record DbView(
            boolean exists,
            int buckets,
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
            int buckets = 1;
            long stock = 0;
            long sold = 0;
            int perBuyerLimit = Integer.MAX_VALUE;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT stock, sold, per_buyer_limit, buckets FROM sales WHERE id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        stock = rs.getLong(1);
                        sold = rs.getLong(2);
                        perBuyerLimit = rs.getInt(3);
                        buckets = rs.getInt(4);
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
            return new DbView(exists, buckets, stock, sold, perBuyerLimit, orders, cancelled, orderedByBuyer, releases);
        });
    }
}

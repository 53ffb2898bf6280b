package dev.flashsale.sale;

import dev.flashsale.db.LockedSale;
import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Brings a sale's Redis state in line with the database: its definition, and its available-stock counter set to
 * {@code stock − sold − units still held in Redis}. Exact even while buyers reserve and confirmers confirm: the
 * database side is frozen by the sale's row lock for the few milliseconds the Redis side takes, and the Redis side is
 * read and written in one script ({@code sync-sale.lua}). The argument is in docs/lifecycle.md.
 */
public final class SaleSync {

    static final int RESTORE_BATCH = 500;
    /** Cancelled orders whose return Redis has not followed, finished per reconciliation (the rest the next time). */
    static final int FOLLOW_BATCH = 1000;

    private final RedisConnection redis;
    private final SaleRepository sales;
    private final Duration retention;

    /** @param retention how long after the sale's end its keys are kept (as {@link SaleCache}) */
    public SaleSync(RedisConnection redis, SaleRepository sales, Duration retention) {
        this.redis = redis;
        this.sales = sales;
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** Loads the sale if Redis has no stock counter for it; a live counter is kept. Empty if not in the database. */
    public Optional<SyncResult> loadIfAbsent(String saleId) {
        return run(saleId, "init", false);
    }

    /**
     * Sets the stock counter to what the database and Redis' holds say it must be, and, when there is evidence that
     * Redis lost or replayed writes (the counter was wrong: every write that moves a buyer's count moves it too; or the
     * database sold units Redis has no record of), every buyer's count as well, in a second pass under the lock again;
     * a sale with no such evidence costs no read of its orders. Empty if not in the database.
     */
    public Optional<SyncResult> reconcile(String saleId) {
        Optional<SyncResult> stock = run(saleId, "reconcile", false);
        if (stock.isEmpty() || !stock.get().lostWrites()) {
            return stock;
        }
        return run(saleId, "reconcile", true)
                .map(counts -> new SyncResult(
                        counts.sale(),
                        stock.get().action(),
                        stock.get().before(),
                        counts.after(),
                        counts.held(),
                        counts.buyersCorrected(),
                        stock.get().unrecorded(),
                        stock.get().returnsFinished() + counts.returnsFinished()));
    }

    private Optional<SyncResult> run(String saleId, String mode, boolean buyerCounts) {
        return sales.withLocked(saleId, locked -> {
            SaleRecord r = locked.record();
            int count = r.sale().buckets();
            // A kept counter ('init') must not follow cancellations: the flip takes units off buyers, not onto stock.
            // After lost writes (the second pass) every cancelled order is looked at: a failover may have undone a
            // return the database had recorded, leaving the record CONFIRMED.
            Map<String, String> cancelled = mode.equals("init")
                    ? Map.of()
                    : locked.cancellations(buyerCounts, buyerCounts ? Integer.MAX_VALUE : FOLLOW_BATCH);
            // A sale in several buckets: each bucket's counter is its allotment less the units of its own buyers'
            // orders (a buyer's orders count in their home bucket) and what it still holds.
            List<Map<String, Integer>> ownedByBucket =
                    buyerCounts || count > 1 ? byHomeBucket(locked.orderedUnitsByBuyer(), count) : List.of(Map.of());
            SyncResult total = null;
            Set<String> followed = null;
            for (SaleKeys k : Buckets.all(saleId, count)) {
                Map<String, Integer> owned = ownedByBucket.get(count == 1 ? 0 : k.bucket());
                int sold = count == 1
                        ? r.sold()
                        : owned.values().stream().mapToInt(Integer::intValue).sum();
                BucketSync one = runBucket(k, locked, mode, sold, cancelled, buyerCounts ? owned : null);
                // A cancelled order lives in one bucket; the others have no record of it ("gone"): it was followed
                // once every bucket says so.
                if (followed == null) {
                    followed = new LinkedHashSet<>(one.followed());
                } else {
                    followed.retainAll(one.followed());
                }
                total = total == null ? one.result() : merged(total, one.result());
            }
            if (!followed.isEmpty()) {
                locked.markUnitsReturned(List.copyOf(followed));
            }
            return total;
        });
    }

    private record BucketSync(SyncResult result, List<String> followed) {}

    private BucketSync runBucket(
            SaleKeys k,
            LockedSale locked,
            String mode,
            int sold,
            Map<String, String> cancelled,
            Map<String, Integer> buyerCounts)
            throws java.sql.SQLException {
        List<String> undecided = new ArrayList<>(redis.call(k.holds(), c -> c.zrange(k.holds(), 0, -1)));
        undecided.addAll(redis.call(k.claims(), c -> c.zrange(k.claims(), 0, -1)));
        Set<String> ordered = locked.orderedAmong(undecided);
        SaleRecord r = locked.record();
        Sale s = r.sale();
        List<String> args = new ArrayList<>(List.of(
                mode,
                Integer.toString(s.stock()),
                Integer.toString(sold),
                Long.toString(s.startsAt().toEpochMilli()),
                Long.toString(s.endsAt().toEpochMilli()),
                Integer.toString(s.perBuyerLimit()),
                Integer.toString(s.perOrderMax()),
                Long.toString(s.endsAt().plus(retention).toEpochMilli()),
                s.admission().wire(),
                Integer.toString(s.buckets()),
                Integer.toString(Buckets.share(s.stock(), s.buckets(), k.bucket())),
                Integer.toString(ordered.size())));
        args.addAll(ordered);
        args.add(Integer.toString(cancelled.size()));
        cancelled.forEach((id, reason) -> {
            args.add(id);
            args.add(reason);
        });
        args.add(buyerCounts != null ? "1" : "0");
        if (buyerCounts != null) {
            buyerCounts.forEach((buyer, units) -> {
                args.add(buyer);
                args.add(Integer.toString(units));
            });
        }
        List<?> reply = redis.call(k.meta(), c -> (List<?>) LuaScript.SYNC_SALE.run(
                c,
                List.of(k.meta(), k.stock(), k.holds(), k.claims(), k.reservations(), k.units(), k.idempotency()),
                args));
        List<String> followed =
                ((List<?>) reply.get(6)).stream().map(ScriptReply::text).toList();
        return new BucketSync(
                new SyncResult(
                        r,
                        SyncResult.Action.valueOf(ScriptReply.text(reply.get(0))),
                        ScriptReply.number(reply.get(1)),
                        ScriptReply.number(reply.get(2)),
                        ScriptReply.number(reply.get(3)),
                        ScriptReply.number(reply.get(4)),
                        ScriptReply.number(reply.get(5)),
                        ScriptReply.number(reply.get(7))),
                followed);
    }

    /** Each buyer's units, in the map of their home bucket. */
    private static List<Map<String, Integer>> byHomeBucket(Map<String, Integer> units, int count) {
        List<Map<String, Integer>> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            out.add(new HashMap<>());
        }
        units.forEach((buyer, n) -> out.get(Buckets.home(buyer, count)).put(buyer, n));
        return out;
    }

    /** Two buckets' results as the sale's: counters summed; the strongest evidence of lost writes kept. */
    private static SyncResult merged(SyncResult a, SyncResult b) {
        SyncResult.Action action = a.action().compareTo(b.action()) >= 0 ? a.action() : b.action();
        long before = a.before() < 0 && b.before() < 0 ? -1 : Math.max(0, a.before()) + Math.max(0, b.before());
        return new SyncResult(
                a.sale(),
                action,
                before,
                a.after() + b.after(),
                a.held() + b.held(),
                a.buyersCorrected() + b.buyersCorrected(),
                a.unrecorded() + b.unrecorded(),
                a.returnsFinished() + b.returnsFinished());
    }

    /**
     * Gives Redis back the records and idempotency-key mappings of the sale's confirmed orders that it lost (a failover
     * promoted a replica without them), so that a replay of such a key answers its order. Fills gaps only; batched, one
     * script call per {@value #RESTORE_BATCH} orders. No lock is needed: orders are final, and what is written is what
     * they say.
     *
     * @return how many records and mappings were missing and are restored
     */
    public Restored restoreOrders(SaleRecord sale) {
        int count = sale.sale().buckets();
        Map<Integer, List<SaleRepository.KeyedOrder>> byBucket = new java.util.TreeMap<>();
        for (SaleRepository.KeyedOrder o : sales.keyedOrders(sale.id())) {
            byBucket.computeIfAbsent(Buckets.home(o.buyerId(), count), b -> new ArrayList<>())
                    .add(o);
        }
        String expireAt = Long.toString(sale.sale().endsAt().plus(retention).toEpochMilli());
        long records = 0;
        long mappings = 0;
        for (Map.Entry<Integer, List<SaleRepository.KeyedOrder>> bucket : byBucket.entrySet()) {
            SaleKeys k = new SaleKeys(sale.id(), bucket.getKey());
            List<SaleRepository.KeyedOrder> orders = bucket.getValue();
            for (int from = 0; from < orders.size(); from += RESTORE_BATCH) {
                List<String> args = new ArrayList<>(List.of(expireAt));
                for (SaleRepository.KeyedOrder o :
                        orders.subList(from, Math.min(orders.size(), from + RESTORE_BATCH))) {
                    args.addAll(List.of(
                            o.reservationId(),
                            o.buyerId(),
                            o.idempotencyKey(),
                            Integer.toString(o.quantity()),
                            Long.toString(o.heldAt().toEpochMilli()),
                            o.status().holdsStock() ? "CONFIRMED" : "CANCELLED"));
                }
                List<?> reply = (List<?>) redis.eval(
                        LuaScript.RESTORE_ORDERS, List.of(k.reservations(), k.idempotency(), k.meta()), args);
                records += ScriptReply.number(reply.get(0));
                mappings += ScriptReply.number(reply.get(1));
            }
        }
        return new Restored(records, mappings);
    }

    /** What {@link #restoreOrders} put back. */
    public record Restored(long records, long mappings) {
        public boolean any() {
            return records > 0 || mappings > 0;
        }
    }

    /**
     * Adds units to a sale that has not started, in the database and, if the sale is loaded, in Redis, while holding
     * the sale's row lock (so a concurrent reconciliation sees both or neither). Applied once per {@code operationId}:
     * a retry (the database connection's own after a lost COMMIT reply, or the caller's) finds the change recorded in
     * the same transaction and changes nothing. Redis follows inside the transaction, so a recorded change was
     * followed; a change whose COMMIT failed after Redis followed is applied again on retry, and add-stock.lua, finding
     * Redis at the new total already, does nothing.
     */
    public Optional<StockChange> addStockBeforeStart(
            String saleId, String operationId, int units, java.time.Instant now) {
        return sales.withLocked(saleId, locked -> {
            Optional<LockedSale.AppliedStockChange> applied = locked.appliedStockChange(operationId);
            if (applied.isPresent()) {
                return applied.get().units() == units
                        ? new StockChange.Replayed(
                                locked.record(), applied.get().newStock())
                        : new StockChange.OperationReused(applied.get().units());
            }
            if (!now.isBefore(locked.record().sale().startsAt())) {
                return new StockChange.Refused(locked.record());
            }
            int total = locked.addStock(operationId, units);
            // The new units go to bucket 0; the other buckets of a split sale learn the new total only.
            boolean loaded = false;
            for (SaleKeys b : Buckets.all(saleId, locked.record().sale().buckets())) {
                String added = b.bucket() == 0 ? Integer.toString(units) : "0";
                List<?> reply = redis.call(b.meta(), c -> (List<?>) LuaScript.ADD_STOCK.run(
                        c, List.of(b.meta(), b.stock()), List.of(added, Integer.toString(total))));
                loaded |= b.bucket() == 0 && !ScriptReply.text(reply.get(0)).equals("NOT_LOADED");
            }
            return new StockChange.Added(locked.record(), total, loaded);
        });
    }

    /** What {@link #addStockBeforeStart} did. */
    public sealed interface StockChange {
        /** @param loaded whether Redis had the sale loaded (and followed the change) */
        record Added(SaleRecord before, int newStock, boolean loaded) implements StockChange {}

        /** The operation was applied before (it left {@code newStock}); nothing changed now. */
        record Replayed(SaleRecord sale, int newStock) implements StockChange {}

        /** The operation id was applied before with a different number of units; nothing changed. */
        record OperationReused(int unitsApplied) implements StockChange {}

        /** The sale has started: stock only changes before the start. */
        record Refused(SaleRecord sale) implements StockChange {}
    }
}

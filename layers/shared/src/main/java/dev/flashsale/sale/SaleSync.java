package dev.flashsale.sale;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.flashsale.db.LockedSale;
import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;

/**
 * Brings a sale's Redis state in line with the database: its definition, and its available-stock counter set to
 * {@code stock − sold − units still held in Redis}. Exact even while buyers reserve and confirmers confirm: the
 * database side is frozen by the sale's row lock for the few milliseconds the Redis side takes, and the Redis side is
 * read and written in one script ({@code sync-sale.lua}). The argument is in docs/lifecycle.md.
 */
public final class SaleSync {


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
        return run(saleId, "init");
    }

    /** Sets the stock counter to what the database and Redis' holds say it must be. Empty if not in the database. */
    public Optional<SyncResult> reconcile(String saleId) {
        return run(saleId, "reconcile");
    }

    private Optional<SyncResult> run(String saleId, String mode) {
        SaleKeys k = new SaleKeys(saleId);
        return sales.withLocked(saleId, locked -> {
            List<String> undecided = new ArrayList<>(redis.call(c -> c.zrange(k.holds(), 0, -1)));
            undecided.addAll(redis.call(c -> c.zrange(k.claims(), 0, -1)));
            Set<String> ordered = locked.orderedAmong(undecided);
            SaleRecord r = locked.record();
            Sale s = r.sale();
            List<String> args = new ArrayList<>(List.of(mode, Integer.toString(s.stock()), Integer.toString(r.sold()),
                    Long.toString(s.startsAt().toEpochMilli()), Long.toString(s.endsAt().toEpochMilli()),
                    Integer.toString(s.perBuyerLimit()), Integer.toString(s.perOrderMax()),
                    Long.toString(s.endsAt().plus(retention).toEpochMilli())));
            args.addAll(ordered);
            List<?> reply = redis.call(c -> (List<?>) LuaScript.SYNC_SALE.run(c,
                    List.of(k.meta(), k.stock(), k.holds(), k.claims(), k.reservations()), args));
            return new SyncResult(r, SyncResult.Action.valueOf(text(reply.get(0))), number(reply.get(1)), number(reply.get(2)),
                    number(reply.get(3)));
        });
    }

    /**
     * Adds units to a sale that has not started, in the database and, if the sale is loaded, in Redis, while holding
     * the sale's row lock (so a concurrent reconciliation sees both or neither). Applied once per {@code operationId}:
     * a retry (the database connection's own after a lost COMMIT reply, or the caller's) finds the change recorded in
     * the same transaction and changes nothing. Redis follows inside the transaction, so a recorded change was
     * followed; a change whose COMMIT failed after Redis followed is applied again on retry, and add-stock.lua, finding
     * Redis at the new total already, does nothing.
     */
    public Optional<StockChange> addStockBeforeStart(String saleId, String operationId, int units, java.time.Instant now) {
        SaleKeys k = new SaleKeys(saleId);
        return sales.withLocked(saleId, locked -> {
            Optional<LockedSale.AppliedStockChange> applied = locked.appliedStockChange(operationId);
            if (applied.isPresent()) {
                return applied.get().units() == units
                        ? new StockChange.Replayed(locked.record(), applied.get().newStock())
                        : new StockChange.OperationReused(applied.get().units());
            }
            if (!now.isBefore(locked.record().sale().startsAt())) {
                return new StockChange.Refused(locked.record());
            }
            int total = locked.addStock(operationId, units);
            List<?> reply = redis.call(c -> (List<?>) LuaScript.ADD_STOCK.run(c, List.of(k.meta(), k.stock()),
                    List.of(Integer.toString(units), Integer.toString(total))));
            return new StockChange.Added(locked.record(), total, !text(reply.get(0)).equals("NOT_LOADED"));
        });
    }

    /** What {@link #addStockBeforeStart} did. */
    public sealed interface StockChange {
        /** @param loaded whether Redis had the sale loaded (and followed the change) */
        record Added(SaleRecord before, int newStock, boolean loaded) implements StockChange {
        }

        /** The operation was applied before (it left {@code newStock}); nothing changed now. */
        record Replayed(SaleRecord sale, int newStock) implements StockChange {
        }

        /** The operation id was applied before with a different number of units; nothing changed. */
        record OperationReused(int unitsApplied) implements StockChange {
        }

        /** The sale has started: stock only changes before the start. */
        record Refused(SaleRecord sale) implements StockChange {
        }
    }

    static String text(Object o) {
        return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(text(o));
    }
}

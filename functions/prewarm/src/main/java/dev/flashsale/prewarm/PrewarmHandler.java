package dev.flashsale.prewarm;

import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.lease.LeaseKeeper;
import dev.flashsale.lease.LeaseLock;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reservation.StockTransfers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;
import dev.flashsale.sale.SyncResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prewarm run: under the {@code prewarm} lease (at most one run at a time; EventBridge may deliver a schedule twice
 * and runs may overlap), load the Lua scripts, load sales starting within the horizon into Redis (their counters, once
 * created, are never overwritten here), and reconcile live sales' counters from the database ({@link SaleSync}), after
 * finishing any transfer between a split sale's buckets that stopped half-way ({@link StockTransfers#repair}). Stops
 * at the next sale boundary when the lease is lost or time runs short. Every step is safe to run twice, so a second
 * holder after a lost lease does no harm, only duplicate work.
 */
public final class PrewarmHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PrewarmHandler.class);
    /**
     * A transfer younger than this is left to the reservation that is making it: its accept follows in a moment, or,
     * with {@code REDIS_WAIT_ON_TIMEOUT=refuse}, its undo once its {@code WAIT} (at most {@code REDIS_WAIT_TIMEOUT}, 10 s)
     * timed out; accepting before the undo would count the units in both buckets. Well above both.
     */
    static final Duration TRANSFER_SETTLE = Duration.ofSeconds(30);

    private final SaleRepository sales;
    private final SaleCache cache;
    private final SaleSync sync;
    private final RedisConnection redis;
    private final LeaseLock lock;
    private final PrewarmSettings settings;
    private final Clock clock;
    private final Consumer<String> afterSale;
    private final StockTransfers transfers;

    /** @param afterSale called after each sale is done (tests use it to make a run slow or to take its lease away) */
    public PrewarmHandler(
            SaleRepository sales,
            SaleCache cache,
            SaleSync sync,
            RedisConnection redis,
            LeaseLock lock,
            PrewarmSettings settings,
            Clock clock,
            Consumer<String> afterSale) {
        this.sales = sales;
        this.cache = cache;
        this.sync = sync;
        this.redis = redis;
        this.lock = lock;
        this.settings = settings;
        this.clock = clock;
        this.afterSale = afterSale;
        this.transfers = new StockTransfers(redis);
    }

    /** @param deadline when the function must have returned */
    public PrewarmReport run(Instant deadline) {
        PrewarmReport report = new PrewarmReport();
        Optional<LeaseLock.Lease> lease = lock.tryAcquire(settings.leaseName(), settings.leaseTtl());
        if (lease.isEmpty()) {
            LOG.info("prewarm: another run holds the lease; nothing to do");
            return report;
        }
        report.ran();
        try (LeaseKeeper keeper = new LeaseKeeper(lock, lease.get())) {
            Instant now = clock.instant();
            List<SaleRecord> due = sales.openOrStartingBefore(
                    now, now.plus(settings.horizon()), settings.salePrefix(), settings.maxSales());
            report.sales(due.size());
            boolean scriptsLoaded = false;
            for (SaleRecord r : due) {
                if (keeper.lost()) {
                    report.leaseLost();
                    break;
                }
                if (clock.instant().isAfter(deadline.minus(settings.timeReserve()))) {
                    report.exhausted();
                    break;
                }
                try {
                    if (!scriptsLoaded) {
                        redis.loadScripts(r.id());
                        scriptsLoaded = true;
                    }
                    prewarm(r, now, report);
                } catch (DependencyUnavailableException e) {
                    report.error();
                    LOG.warn(
                            "prewarm: {} is unavailable; stopping this run at sale {}: {}",
                            e.dependency(),
                            r.id(),
                            e.getMessage());
                    break;
                } catch (RuntimeException e) {
                    report.error();
                    LOG.error("prewarm: sale {} failed", r.id(), e);
                }
                afterSale.accept(r.id());
            }
            if (keeper.lost()) {
                report.leaseLost();
            }
        }
        LOG.info("prewarm: {}", report);
        return report;
    }

    private void prewarm(SaleRecord r, Instant now, PrewarmReport report) {
        if (r.sale().startsAt().isAfter(now)) {
            // Upcoming: nothing can have been reserved or sold yet, so the total is the right initial counter.
            if (cache.load(r.sale())) {
                report.loaded(r.id());
            } else {
                report.refreshed(r.id());
            }
            return;
        }
        if (r.sale().buckets() > 1) {
            StockTransfers.Repaired repaired = transfers.repair(r.id(), r.sale().buckets(), TRANSFER_SETTLE.toMillis());
            if (repaired.any()) {
                report.transfersFinished(repaired.acceptedLate() + repaired.lentAgain());
                LOG.warn(
                        "prewarm: sale {}: {} transfers between buckets had stopped before their accept (a crash?), {} "
                                + "accepted transfers had lost their lend (a failover?); finished",
                        r.id(),
                        repaired.acceptedLate(),
                        repaired.lentAgain());
            }
        }
        Optional<SyncResult> result = sync.reconcile(r.id());
        if (result.isEmpty()) {
            return; // deleted meanwhile
        }
        SyncResult s = result.get();
        if (r.sale().buckets() > 1 && s.lostWrites()) {
            int moved = transfers.coverDeficits(r.id(), r.sale().buckets());
            if (moved > 0) {
                LOG.warn("prewarm: sale {}: {} units moved to buckets left below zero by lost writes", r.id(), moved);
            }
        }
        if (s.returnsFinished() > 0) {
            LOG.warn(
                    "prewarm: sale {}: {} units of cancelled orders had not been returned to Redis (a cancellation was "
                            + "interrupted); returned now",
                    r.id(),
                    s.returnsFinished());
        }
        if (s.buyersCorrected() > 0) {
            LOG.warn(
                    "prewarm: sale {} had {} buyers' unit counts wrong in Redis (lost writes?); corrected from the database and holds",
                    r.id(),
                    s.buyersCorrected());
        }
        // A corrected counter, or units the database sold that Redis has no record of, is the evidence to look for lost
        // orders (and buyers' counts, see SaleSync.reconcile); a run without it reads no orders.
        SaleSync.Restored restored = s.lostWrites() ? sync.restoreOrders(r) : new SaleSync.Restored(0, 0);
        if (restored.any()) {
            LOG.warn(
                    "prewarm: sale {}: Redis had lost {} confirmed reservations and {} key mappings (a failover?); restored",
                    r.id(),
                    restored.records(),
                    restored.mappings());
        }
        switch (s.action()) {
            case CREATED -> report.loaded(r.id());
            case RECONCILED -> {
                report.reconciled(r.id(), s.before(), s.after());
                LOG.warn(
                        "prewarm: sale {} had {} units available in Redis, the database and holds say {}; corrected",
                        r.id(),
                        s.before(),
                        s.after());
            }
            case UNCHANGED, KEPT -> report.unchanged();
        }
    }
}

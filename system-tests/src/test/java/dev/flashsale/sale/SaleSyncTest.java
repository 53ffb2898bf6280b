package dev.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Reconciliation of a sale's Redis stock from the database, against the real Redis and PostgreSQL. */
class SaleSyncTest {

    @AutoClose
    private static final TestStack stack = TestStack.create();

    private static void setStock(String saleId, long value) {
        stack.redis.call(c -> c.set(new SaleKeys(saleId).stock(), Long.toString(value)));
    }

    @Test
    void reconcile_fixesATamperedCounterBothWays_countingHeldAndUndecidedClaimedUnitsButNotDecidedOnes() {
        Sale sale = stack.newSale(20, 10, 5);
        // 2 held; 3 claimed, undecided; 4 claimed and ordered, Redis not yet following; 1 confirmed.
        stack.hold(sale.id(), "held", 2);
        Reservation undecided = stack.hold(sale.id(), "undecided", 3);
        stack.claims.claim(new SaleKeys(sale.id()), undecided.id());
        Reservation ordered = stack.hold(sale.id(), "ordered", 4);
        stack.claims.claim(new SaleKeys(sale.id()), ordered.id());
        stack.fence.confirm(ordered);
        Reservation confirmed = stack.hold(sale.id(), "confirmed", 1);
        assertThat(new ConfirmHandler(stack.claims, stack.fence).confirm(TestStack.message(confirmed)))
                .isEqualTo(dev.flashsale.confirm.ConfirmOutcome.CONFIRMED);
        long right = 20 - 2 - 3 - 4 - 1;
        assertThat(stack.available(sale.id())).isEqualTo(right);

        // Step 1: a correct counter is left as it is
        assertThat(stack.saleSync().reconcile(sale.id()).orElseThrow().action()).isEqualTo(SyncResult.Action.UNCHANGED);

        // Step 2: too high (a lost DECRBY) and too low (a lost INCRBY) are both corrected
        setStock(sale.id(), 17);
        SyncResult high = stack.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(high.action()).isEqualTo(SyncResult.Action.RECONCILED);
        assertThat(high.before()).isEqualTo(17);
        assertThat(high.after()).isEqualTo(right);
        setStock(sale.id(), 0);
        assertThat(stack.saleSync().reconcile(sale.id()).orElseThrow().after()).isEqualTo(right);

        // Step 3: a lost counter is recreated; loadIfAbsent keeps a live one
        stack.redis.call(c -> c.del(new SaleKeys(sale.id()).stock()));
        assertThat(stack.saleSync().loadIfAbsent(sale.id()).orElseThrow().action())
                .isEqualTo(SyncResult.Action.CREATED);
        assertThat(stack.available(sale.id())).isEqualTo(right);
        setStock(sale.id(), 3);
        assertThat(stack.saleSync().loadIfAbsent(sale.id()).orElseThrow().action())
                .isEqualTo(SyncResult.Action.KEPT);
        assertThat(stack.available(sale.id())).isEqualTo(3);
        stack.saleSync().reconcile(sale.id());

        // Redis follows the order afterwards: still consistent
        stack.claims.follow(
                new SaleKeys(sale.id()),
                ordered.id(),
                stack.fence.find(ordered.id()).orElseThrow());
        new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), false);
        assertThat(stack.saleSync().reconcile(sale.id()).orElseThrow().action()).isEqualTo(SyncResult.Action.UNCHANGED);
    }

    @Test
    void aSaleTheDatabaseDoesNotKnow_isNotSynced() {
        assertThat(stack.saleSync().reconcile("t-nowhere-" + System.nanoTime())).isEmpty();
    }

    /**
     * The race the design is about: reconciliation runs back to back while 700 buyers race for 300 units, 4 confirmers
     * claim and write orders, and 1 hold in 10 is cancelled. After the first run (which heals a counter that lost 20
     * units), every run must find the counter already right: a run that moved it would have counted a racing
     * reservation twice or not at all. At the end nothing is oversold and every invariant holds.
     */
    @Test
    void reconcileRepeatedly_whileACrowdReservesConfirmsAndCancels_neverMovesACorrectCounter_andNothingIsOversold()
            throws Exception {
        int stockUnits = 300;
        int buyers = 700;
        Sale sale = stack.newSale(stockUnits, 1, 1);
        setStock(sale.id(), stockUnits - 20); // a lost INCRBY: 20 units leaked
        SyncResult healed = stack.saleSync().reconcile(sale.id()).orElseThrow();
        assertThat(healed.action()).isEqualTo(SyncResult.Action.RECONCILED);
        assertThat(healed.after()).isEqualTo(stockUnits);

        BlockingQueue<Reservation> toConfirm = new LinkedBlockingQueue<>();
        AtomicBoolean buyersDone = new AtomicBoolean();
        AtomicBoolean confirmersDone = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        Map<String, Long> moved = new ConcurrentHashMap<>();
        AtomicInteger cancelled = new AtomicInteger();

        ExecutorService pool = Executors.newFixedThreadPool(17);
        Future<?> reconciler = pool.submit(() -> {
            try (TestStack env = TestStack.create()) {
                SaleSync sync = env.saleSync();
                while (!confirmersDone.get()) {
                    SyncResult r = sync.reconcile(sale.id()).orElseThrow();
                    runs.incrementAndGet();
                    if (r.action() != SyncResult.Action.UNCHANGED) {
                        moved.put(r.action() + " #" + runs.get(), r.after() - r.before());
                    }
                }
            }
            return null;
        });
        List<Future<?>> confirmers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            confirmers.add(pool.submit(() -> {
                try (TestStack env = TestStack.create()) {
                    ConfirmHandler confirm = new ConfirmHandler(env.claims, env.fence);
                    while (!(buyersDone.get() && toConfirm.isEmpty())) {
                        Reservation r = toConfirm.poll(20, TimeUnit.MILLISECONDS);
                        if (r != null) {
                            confirm.confirm(TestStack.message(r));
                        }
                    }
                }
                return null;
            }));
        }
        List<Future<?>> crowd = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 12; t++) {
            crowd.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < buyers; i = next.getAndIncrement()) {
                    String buyer = "b" + i;
                    ReserveOutcome o = stack.store.reserve(new ReserveRequest(sale.id(), buyer, "k" + i, 1));
                    if (o instanceof ReserveOutcome.Held h) {
                        if (i % 10 == 0) {
                            stack.store.cancel(
                                    new SaleKeys(sale.id()), h.reservation().id());
                            cancelled.incrementAndGet();
                        } else {
                            toConfirm.add(h.reservation());
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : crowd) {
            f.get(60, TimeUnit.SECONDS);
        }
        buyersDone.set(true);
        for (Future<?> f : confirmers) {
            f.get(60, TimeUnit.SECONDS);
        }
        confirmersDone.set(true);
        reconciler.get(60, TimeUnit.SECONDS);
        pool.shutdown();

        System.out.printf(
                "[reconcile-under-load] %d reconciliations ran while %d buyers reserved (%d holds cancelled) and 4 "
                        + "confirmers confirmed; counters moved: %s%n",
                runs.get(), buyers, cancelled.get(), moved);
        assertThat(runs.get()).as("reconciliations overlapping the crowd").isGreaterThan(10);
        assertThat(moved).as("runs that moved a correct counter").isEmpty();

        InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), false);
        assertThat(report.violations()).isEmpty();
        assertThat(report.sold()).isLessThanOrEqualTo(stockUnits);
        assertThat(soldOutReleases(sale.id()))
                .as("confirmations the database refused for lack of stock")
                .isZero();
        assertThat(report.sold() + report.available()).isEqualTo(stockUnits); // nothing held any more: all confirmed
    }

    private static int soldOutReleases(String saleId) throws Exception {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM releases WHERE sale_id = ? AND reason = 'SOLD_OUT'")) {
            ps.setString(1, saleId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

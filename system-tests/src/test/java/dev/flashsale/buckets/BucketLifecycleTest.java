package dev.flashsale.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.confirm.MessageResult;
import dev.flashsale.db.CancelResult;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.reservation.StockTransfers;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SyncResult;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A split sale through the rest of its life, bucket by bucket: the release job, the confirmer crashing mid-batch,
 * reconciliation after lost writes, a bucket that lost every key, transfers stopped half-way or whose lend a failover
 * lost, and a cancelled order's units going back to its buyer's home bucket. After each: nothing created or lost
 * ({@link BucketLedger}), and the database never sells more than the stock.
 */
class BucketLifecycleTest {

    private static final TestStack STACK = TestStack.create();
    private static final TestStack SHORT = TestStack.shortLived();

    @AfterAll
    static void close() {
        STACK.close();
        SHORT.close();
    }

    @Test
    void expiredHoldsOfEveryBucket_goBackToTheirBuyersHomeBuckets() throws Exception {
        Sale sale = SHORT.newSplitSale(30, 1, 1, 3);
        List<Reservation> holds = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            holds.add(SHORT.hold(sale.id(), "b-" + i, 1));
        }
        assertThat(holds.stream().map(r -> Buckets.home(r.buyerId(), 3)).distinct())
                .hasSize(3);
        Thread.sleep(1_200);

        ReleaseSummary run = ReleaseFixture.handler(SHORT, ReleaseFixture.settings(1_000))
                .run(List.of(sale.id()), Instant.now().plusSeconds(30));

        assertThat(run.holdsReleased()).isEqualTo(15);
        assertThat(run.sales()).isEqualTo(1);
        BucketLedger ledger = BucketLedger.read(SHORT.redis, sale.id(), 3);
        assertBalanced(sale.id(), ledger, 30);
        assertThat(ledger.sum(ledger.held())).isZero();
        assertThat(ledger.available()).isEqualTo(ledger.allot());
        assertThat(ledger.reservable()).isEqualTo(30);
    }

    @Test
    void aConfirmerCrashingMidBatchAcrossBuckets_isFinishedByTheRedeliveryExactlyOnce() {
        Sale sale = STACK.newSplitSale(20, 2, 2, 3);
        List<ConfirmationMessage> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Reservation r = STACK.hold(sale.id(), "c-" + i, 1 + i % 2);
            batch.add(ConfirmationMessage.of(r, Buckets.home(r.buyerId(), 3)));
        }
        ConfirmHandler crashing = new ConfirmHandler(STACK.claims, STACK.fence, step -> {
            if (step == ConfirmHandler.Step.COMMITTED) {
                throw new IllegalStateException("crash after the commit");
            }
        });
        assertThat(crashing.confirmAll(batch)).anyMatch(r -> r instanceof MessageResult.Failed);

        List<MessageResult> redelivered = new ConfirmHandler(STACK.claims, STACK.fence).confirmAll(batch);

        assertThat(redelivered)
                .allMatch(r -> r instanceof MessageResult.Acknowledged a
                        && (a.outcome() == ConfirmOutcome.ALREADY_CONFIRMED
                                || a.outcome() == ConfirmOutcome.CONFIRMED));
        int units = batch.stream().mapToInt(ConfirmationMessage::quantity).sum();
        assertThat(sold(sale)).isEqualTo(units);
        BucketLedger ledger = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertBalanced(sale.id(), ledger, 20);
        assertThat(ledger.sum(ledger.confirmed())).isEqualTo(units);
        assertThat(ledger.sum(ledger.held())).isZero();
    }

    @Test
    void reconciliationCorrectsTheBucketThatLostWrites_andLeavesTheOthers() {
        Sale sale = STACK.newSplitSale(30, 2, 1, 3);
        for (int i = 0; i < 9; i++) {
            Reservation r = STACK.hold(sale.id(), "r-" + i, 1);
            if (i % 2 == 0) {
                STACK.confirm(r);
            }
        }
        BucketLedger before = BucketLedger.read(STACK.redis, sale.id(), 3);
        SaleKeys lossy = new SaleKeys(sale.id(), 1);
        STACK.redis.call(c -> c.incrBy(lossy.stock(), 4)); // a replayed return: 4 units too many

        SyncResult result = STACK.saleSync().reconcile(sale.id()).orElseThrow();

        assertThat(result.action()).isEqualTo(SyncResult.Action.RECONCILED);
        BucketLedger after = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertThat(after.available()).isEqualTo(before.available());
        assertBalanced(sale.id(), after, 30);
        assertThat(STACK.saleSync().reconcile(sale.id()).orElseThrow().action()).isEqualTo(SyncResult.Action.UNCHANGED);
    }

    @Test
    void aTransferStoppedBetweenLendAndAccept_isFinishedOnce() {
        Sale sale = STACK.newSplitSale(12, 4, 4, 3);
        SaleKeys donor = new SaleKeys(sale.id(), 1);
        SaleKeys home = new SaleKeys(sale.id(), 0);
        lend(donor, home, "stopped-1", 3); // the borrower died here
        BucketLedger stuck = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertThat(stuck.inTransit()).isEqualTo(3);
        assertThat(stuck.allotted()).isEqualTo(12);
        assertThat(stuck.reservable()).isEqualTo(9);
        // younger than the settle time: left to its borrower, which may still accept it, or undo it
        assertThat(new StockTransfers(STACK.redis).repair(sale.id(), 3, 30_000).any())
                .isFalse();
        assertThat(BucketLedger.read(STACK.redis, sale.id(), 3)).isEqualTo(stuck);

        StockTransfers.Repaired repaired = new StockTransfers(STACK.redis).repair(sale.id(), 3, 0);

        assertThat(repaired.acceptedLate()).isEqualTo(1);
        BucketLedger finished = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertBalanced(sale.id(), finished, 12);
        assertThat(finished.available()).containsExactly(7L, 1L, 4L);
        // the borrower's own accept, arriving late, and a second repair change nothing
        accept(home, donor, "stopped-1", 3);
        assertThat(new StockTransfers(STACK.redis).repair(sale.id(), 3, 0).any())
                .isFalse();
        assertThat(BucketLedger.read(STACK.redis, sale.id(), 3)).isEqualTo(finished);
    }

    @Test
    void aLendLostInAFailover_isLentAgainIntoADeficit_andTheDatabaseStillSellsOnlyTheStock() {
        Sale sale = STACK.newSplitSale(6, 1, 1, 3);
        SaleKeys home = new SaleKeys(sale.id(), 0);
        SaleKeys donor = new SaleKeys(sale.id(), 1);
        lend(donor, home, "lost-1", 2);
        accept(home, donor, "lost-1", 2);
        // the donor's master fails over to a replica that never had the lend: the units are on both sides
        STACK.redis.call(c -> {
            c.hdel(donor.lent(), "lost-1");
            c.incrBy(donor.stock(), 2);
            c.hincrBy(donor.meta(), "allot", 2);
            return null;
        });
        assertThat(BucketLedger.read(STACK.redis, sale.id(), 3).allotted()).isEqualTo(8);
        // two of the donor's buyers take its (phantom) units before anything repairs it
        List<Reservation> holds = new ArrayList<>();
        for (String buyer : buyersHomedAt(sale, 1, 2)) {
            holds.add(STACK.hold(sale.id(), buyer, 1));
        }

        assertThat(new StockTransfers(STACK.redis).repair(sale.id(), 3, 0).lentAgain())
                .isEqualTo(1);

        BucketLedger repaired = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertBalanced(repaired, 6);
        assertThat(repaired.available().get(1)).isEqualTo(-2L); // the deficit, paid back first by what returns
        // everyone else takes what Redis still shows; the database fence refuses what exceeds the stock
        int i = 0;
        while (true) {
            ReserveOutcome o = STACK.store.reserve(new ReserveRequest(sale.id(), "late-" + i, "k", 1));
            i++;
            if (o instanceof ReserveOutcome.Held h) {
                holds.add(h.reservation());
            } else {
                assertThat(((ReserveOutcome.Refused) o).refusal()).isInstanceOf(Refusal.SoldOut.class);
                break;
            }
        }
        // 8 holds when no late buyer was homed in the donor; 6 when one was: its borrowing paid the deficit first
        assertThat(holds.size()).isBetween(6, 8);
        ConfirmHandler confirmer = new ConfirmHandler(STACK.claims, STACK.fence);
        long refused = holds.stream()
                .map(r -> confirmer.confirm(ConfirmationMessage.of(r, Buckets.home(r.buyerId(), 3))))
                .filter(o -> o == ConfirmOutcome.REFUSED_SOLD_OUT)
                .count();
        assertThat(refused).isEqualTo(holds.size() - 6);
        assertThat(sold(sale)).isEqualTo(6);
        // reconciliation puts each bucket at its allotment less its own buyers' orders: the donor's buyers bought more
        // than its allotment, so it is below zero while others show units; prewarm then covers the deficit from them
        STACK.saleSync().reconcile(sale.id());
        new StockTransfers(STACK.redis).coverDeficits(sale.id(), 3);
        BucketLedger end = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertThat(end.reservable()).isZero();
        assertThat(end.sum(end.confirmed())).isEqualTo(6);
    }

    @Test
    void aBucketThatLostEveryKey_isReloaded_andItsTransfersAreReplayedBothWays() {
        Sale sale = STACK.newSplitSale(12, 4, 4, 3);
        SaleKeys b0 = new SaleKeys(sale.id(), 0);
        SaleKeys b1 = new SaleKeys(sale.id(), 1);
        SaleKeys b2 = new SaleKeys(sale.id(), 2);
        lend(b1, b0, "out-1", 3); // bucket 1 lent 3 ...
        accept(b0, b1, "out-1", 3);
        lend(b2, b1, "in-1", 2); // ... and received 2
        accept(b1, b2, "in-1", 2);
        STACK.redis.call(c -> c.del(b1.all().toArray(String[]::new)));

        STACK.saleSync().loadIfAbsent(sale.id()); // bucket 1 comes back with its share, its journal gone
        // 7 + 4 + 2 allotted, and the 2 units bucket 2 lent it are in transit again: 3 units too many
        assertThat(BucketLedger.read(STACK.redis, sale.id(), 3).allotted()).isEqualTo(15);
        StockTransfers.Repaired repaired = new StockTransfers(STACK.redis).repair(sale.id(), 3, 0);

        assertThat(repaired.lentAgain()).isEqualTo(1);
        assertThat(repaired.acceptedLate()).isEqualTo(1);
        BucketLedger ledger = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertBalanced(sale.id(), ledger, 12);
        assertThat(ledger.allot()).containsExactly(7L, 3L, 2L);
    }

    @Test
    void aCancelledOrderReturnsItsUnitsToItsBuyersHomeBucket() {
        Sale sale = TestSales.split(12, 2, 2, 3);
        new SaleRepository(STACK.db).create(sale, "", 1999, "USD", Duration.ofHours(1));
        TestSales.seed(STACK.redis, sale);
        Reservation r = STACK.hold(sale.id(), buyersHomedAt(sale, 2, 1).get(0), 2);
        STACK.confirm(r);
        BucketLedger ordered = BucketLedger.read(STACK.redis, sale.id(), 3);

        CancelResult result = STACK.cancellations(step -> {}).cancelByBuyer(sale.id(), r.id(), r.buyerId());

        assertThat(result).isInstanceOf(CancelResult.Cancelled.class);
        BucketLedger after = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertThat(after.available().get(2)).isEqualTo(ordered.available().get(2) + 2);
        assertThat(after.sum(after.confirmed())).isZero();
        assertBalanced(sale.id(), after, 12);
        assertThat(sold(sale)).isZero();
    }

    @Test
    void stockAddedBeforeTheStart_goesToBucketZero_andEveryBucketLearnsTheNewTotal() {
        Sale live = TestSales.split(9, 2, 2, 3);
        Sale upcoming = new Sale(
                live.id(),
                9,
                2,
                2,
                Instant.now().plus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofHours(2)),
                dev.flashsale.sale.Admission.OPEN,
                3);
        new SaleRepository(STACK.db).create(upcoming, 1999, "USD");
        TestSales.seed(STACK.redis, upcoming);

        var added = STACK.saleSync().addStockBeforeStart(upcoming.id(), "op-1", 5, Instant.now());
        var again = STACK.saleSync().addStockBeforeStart(upcoming.id(), "op-1", 5, Instant.now());

        assertThat(added).containsInstanceOf(dev.flashsale.sale.SaleSync.StockChange.Added.class);
        assertThat(again).containsInstanceOf(dev.flashsale.sale.SaleSync.StockChange.Replayed.class);
        BucketLedger ledger = BucketLedger.read(STACK.redis, upcoming.id(), 3);
        assertBalanced(upcoming.id(), ledger, 14);
        assertThat(ledger.allot()).containsExactly(8L, 3L, 3L);
        for (SaleKeys k : Buckets.all(upcoming.id(), 3)) {
            String total = STACK.redis.call(c -> c.hget(k.meta(), "stock"));
            assertThat(total).isEqualTo("14");
        }
    }

    /** The ledger's own checks, and the invariant checker's over Redis and the database. */
    private static void assertBalanced(String saleId, BucketLedger ledger, int stock) {
        assertBalanced(ledger, stock);
        new InvariantChecker(STACK.redis, STACK.db).requireOk(saleId, false);
    }

    private static void assertBalanced(BucketLedger ledger, int stock) {
        assertThat(ledger.inTransit()).as(ledger.toString()).isZero();
        assertThat(ledger.allotted()).as(ledger.toString()).isEqualTo(stock);
        assertThat(ledger.bucketsBalance()).as(ledger.toString()).isTrue();
        assertThat(ledger.misplaced()).isEmpty();
    }

    private static int sold(Sale sale) {
        return new SaleRepository(STACK.db).find(sale.id()).orElseThrow().sold();
    }

    private static List<String> buyersHomedAt(Sale sale, int bucket, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            String buyer = "h" + bucket + "-" + i;
            if (Buckets.home(buyer, sale.buckets()) == bucket) {
                out.add(buyer);
            }
        }
        return out;
    }

    private static void lend(SaleKeys donor, SaleKeys to, String id, int units) {
        List<?> reply = (List<?>) STACK.redis.eval(
                LuaScript.LEND,
                List.of(donor.meta(), donor.stock(), donor.lent()),
                List.of(id, Integer.toString(to.bucket()), Integer.toString(units), "lend"));
        assertThat(ScriptReply.text(reply.get(0))).isEqualTo("LENT");
    }

    private static void accept(SaleKeys recipient, SaleKeys from, String id, int units) {
        STACK.redis.eval(
                LuaScript.ACCEPT,
                List.of(recipient.meta(), recipient.stock(), recipient.received()),
                List.of(id, Integer.toString(from.bucket()), Integer.toString(units)));
    }
}

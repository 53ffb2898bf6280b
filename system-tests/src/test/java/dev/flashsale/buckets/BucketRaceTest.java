package dev.flashsale.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.confirm.MessageResult;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.Buckets;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.reservation.StockTransfers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A sale split into buckets, bought by a crowd whose buyers are spread unevenly over the buckets (most in one, few in
 * another), so buckets run dry at very different times and units must move to where the buyers are. Randomized over
 * runs ({@code -Dbuckets.runs=N}, {@code -Dbuckets.seed=S}): stock, bucket count, the skew, quantities.
 *
 * <p>What must hold: no unit is created or lost (every bucket's counter, holds and orders add up to its allotment; the
 * allotments and the units in transfer add up to the stock); no buyer is refused "sold out" while units remain: a wave
 * of buyers with no units coming back only ever lowers what is left, so every refusal of q units is checked against
 * what was left once the wave ended (less than q, or the refusal was wrong), and each refusal is recorded with a
 * snapshot of every bucket taken right after it; each buyer's limit and idempotency keys hold across buckets; then the
 * confirmer, fed batches mixing buckets (with duplicates), orders exactly the holds. Prewarm's transfer repair runs in
 * a loop throughout each wave, without its settling delay, so it races the transfers under way.
 */
class BucketRaceTest {

    private static final int RUNS = Integer.getInteger("buckets.runs", 3);
    private static final long SEED = Long.getLong("buckets.seed", System.nanoTime());
    private static final TestStack STACK = TestStack.create();
    /** Transfers the racing repair finished before their borrower did (harmless: each half applies once). */
    private static final AtomicInteger repairsFinished = new AtomicInteger();
    /** 503s retried: requests whose borrowed units other buyers kept taking. */
    private static final AtomicInteger retried = new AtomicInteger();

    @AfterAll
    static void close() {
        STACK.close();
    }

    private record Refused(String buyer, int quantity, int reported, BucketLedger snapshot) {}

    @Test
    void unevenBuyersBuyEveryUnit_noRefusalWhileUnitsRemain_andNothingIsCreatedOrLost() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Random random = new Random(SEED + run);
            int buckets = 2 + random.nextInt(3);
            int stock = 60 + random.nextInt(90);
            Sale sale = STACK.newSplitSale(stock, 3, 2, buckets);
            String context = "seed " + (SEED + run) + ", " + buckets + " buckets, stock " + stock;

            // Wave 1: three times the stock asked for, bucket 0's buyers most of it, the last bucket's hardly any.
            List<String> buyers = skewedBuyers(sale.id(), buckets, stock * 2, "w1", random);
            Wave first = wave(sale, buyers, random);
            BucketLedger afterFirst = BucketLedger.read(STACK.redis, sale.id(), buckets);
            assertConserved(afterFirst, stock, context + ", wave 1");
            assertRefusalsWereRight(first, afterFirst, context + ", wave 1");
            assertThat(afterFirst.transfers())
                    .as("units moved between buckets, " + context)
                    .isPositive();
            assertThat(first.refusals)
                    .as("the wave outbought the stock, " + context)
                    .isNotEmpty();

            // A third of the holds is cancelled (units back in their buyers' home buckets), then a second wave, homed
            // mostly elsewhere, buys them.
            List<Reservation> held = new ArrayList<>(first.holds);
            Collections.shuffle(held, random);
            List<Reservation> cancelled = held.subList(0, held.size() / 3);
            for (Reservation r : cancelled) {
                STACK.store.cancel(r);
            }
            Wave second = wave(
                    sale, skewedBuyers(sale.id(), buckets, stock, "w2", random).reversed(), random);
            BucketLedger afterSecond = BucketLedger.read(STACK.redis, sale.id(), buckets);
            assertConserved(afterSecond, stock, context + ", wave 2");
            assertRefusalsWereRight(second, afterSecond, context + ", wave 2");

            // Each buyer within the limit, and holds only in their home bucket.
            Map<String, Integer> units = new HashMap<>();
            List<Reservation> kept = new ArrayList<>(held.subList(held.size() / 3, held.size()));
            kept.addAll(second.holds);
            kept.forEach(r -> units.merge(r.buyerId(), r.quantity(), Integer::sum));
            assertThat(units.values()).as(context).allMatch(u -> u <= sale.perBuyerLimit());
            assertThat(afterSecond.misplaced()).as(context).isEmpty();
            assertThat(kept.stream().mapToLong(Reservation::quantity).sum())
                    .as(context)
                    .isEqualTo(afterSecond.sum(afterSecond.held()));

            confirmAll(sale, kept, random, context);
            BucketLedger settled = BucketLedger.read(STACK.redis, sale.id(), buckets);
            int sold =
                    new SaleRepository(STACK.db).find(sale.id()).orElseThrow().sold();
            assertThat(sold)
                    .as(context)
                    .isEqualTo(kept.stream().mapToInt(Reservation::quantity).sum());
            assertThat(settled.sum(settled.held())).as(context).isZero();
            assertThat(settled.sum(settled.confirmed())).as(context).isEqualTo(sold);
            assertConserved(settled, stock, context + ", confirmed");
            assertThat(settled.reservable() + sold).as(context).isEqualTo(stock);
            new InvariantChecker(STACK.redis, STACK.db).requireOk(sale.id(), true);
            System.out.printf(
                    "[buckets] %s: %d transfers, %d + %d sold-out refusals, %d transfers finished by the racing repair,"
                            + " %d sold, %d 503s retried%n",
                    context,
                    settled.transfers(),
                    first.refusals.size(),
                    second.refusals.size(),
                    repairsFinished.getAndSet(0),
                    sold,
                    retried.getAndSet(0));
        }
    }

    @Test
    void oneBuyerHammeringEveryKeyAtOnce_getsTheLimitOnceAndEachKeyOneReservation() throws Exception {
        // Shares 2, 2, 2; the buyer's home bucket cannot cover the limit of 3 alone: a unit is borrowed.
        Sale sale = STACK.newSplitSale(6, 3, 1, 3);
        String buyer = "solo-" + sale.id();
        List<Future<ReserveOutcome>> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int copy = 0; copy < 3; copy++) {
                for (int key = 0; key < 8; key++) {
                    String k = "key-" + key;
                    answers.add(pool.submit(() -> STACK.store.reserve(new ReserveRequest(sale.id(), buyer, k, 1))));
                }
            }
            Map<String, Set<String>> idsByKey = new ConcurrentHashMap<>();
            int limitRefusals = 0;
            for (Future<ReserveOutcome> f : answers) {
                switch (f.get()) {
                    case ReserveOutcome.Held h ->
                        idsByKey.computeIfAbsent(h.reservation().idempotencyKey(), x -> ConcurrentHashMap.newKeySet())
                                .add(h.reservation().id());
                    case ReserveOutcome.Refused r -> {
                        assertThat(r.refusal()).isInstanceOfAny(Refusal.LimitExceeded.class, Refusal.RateLimited.class);
                        limitRefusals += r.refusal() instanceof Refusal.LimitExceeded ? 1 : 0;
                    }
                }
            }
            assertThat(idsByKey).hasSize(3);
            assertThat(idsByKey.values()).allMatch(ids -> ids.size() == 1);
            assertThat(limitRefusals).isPositive();
        } finally {
            pool.shutdownNow();
        }
        BucketLedger ledger = BucketLedger.read(STACK.redis, sale.id(), 3);
        assertConserved(ledger, 6, "one buyer");
        assertThat(ledger.sum(ledger.held())).isEqualTo(3);
        assertThat(ledger.held().get(Buckets.home(buyer, 3))).isEqualTo(3);
        assertThat(ledger.transfers()).isPositive();
    }

    private static void assertConserved(BucketLedger ledger, int stock, String context) {
        assertThat(ledger.inTransit()).as("units left in transfer, " + context).isZero();
        assertThat(ledger.allotted())
                .as("allotments, " + context + ": " + ledger)
                .isEqualTo(stock);
        assertThat(ledger.accounted())
                .as("units accounted for, " + context + ": " + ledger)
                .isEqualTo(stock);
        assertThat(ledger.bucketsBalance())
                .as("each bucket balances, " + context + ": " + ledger)
                .isTrue();
        assertThat(ledger.available()).as(context).allMatch(v -> v >= 0);
    }

    /**
     * Nothing came back during the wave, so what was left at each refusal was at least what was left at the end: a
     * refusal of q units with q or more left at the end was wrong.
     */
    private static void assertRefusalsWereRight(Wave wave, BucketLedger after, String context) {
        for (Refused r : wave.refusals) {
            assertThat(r.reported()).as("reported left, " + context + ": " + r).isLessThan(r.quantity());
            assertThat(after.reservable())
                    .as("units left at the end of the wave, refused " + r + ", " + context)
                    .isLessThan(r.quantity());
            assertThat(r.snapshot().reservable() + r.snapshot().inTransit())
                    .as("a snapshot after a refusal shows no more than later ones, " + context)
                    .isGreaterThanOrEqualTo(after.reservable());
        }
    }

    private record Wave(List<Reservation> holds, List<Refused> refusals) {}

    private static Wave wave(Sale sale, List<String> buyers, Random random) throws Exception {
        ConcurrentLinkedQueue<Reservation> holds = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Refused> refusals = new ConcurrentLinkedQueue<>();
        Map<String, Integer> quantities = new HashMap<>();
        buyers.forEach(b -> quantities.put(b, 1 + random.nextInt(2)));
        ExecutorService pool = Executors.newFixedThreadPool(13);
        AtomicBoolean buying = new AtomicBoolean(true);
        try {
            // prewarm's repair, run without its settling delay, racing the transfers it must leave alone
            Future<Integer> repairs = pool.submit(() -> {
                StockTransfers transfers = new StockTransfers(STACK.redis);
                int finished = 0;
                while (buying.get()) {
                    StockTransfers.Repaired r = transfers.repair(sale.id(), sale.buckets(), 0);
                    finished += r.acceptedLate() + r.lentAgain();
                }
                return finished;
            });
            List<Future<?>> done = new ArrayList<>();
            for (String buyer : buyers) {
                done.add(pool.submit(() -> {
                    int q = quantities.get(buyer);
                    ReserveOutcome o = untilAnswered(new ReserveRequest(sale.id(), buyer, "k-" + buyer, q));
                    if (o instanceof ReserveOutcome.Held h) {
                        holds.add(h.reservation());
                    } else if (o instanceof ReserveOutcome.Refused r && r.refusal() instanceof Refusal.SoldOut s) {
                        refusals.add(new Refused(
                                buyer, q, s.available(), BucketLedger.read(STACK.redis, sale.id(), sale.buckets())));
                    } else {
                        throw new AssertionError("unexpected answer for " + buyer + ": " + o);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            buying.set(false);
            repairsFinished.addAndGet(repairs.get());
        } finally {
            pool.shutdownNow();
        }
        return new Wave(List.copyOf(holds), List.copyOf(refusals));
    }

    /** As a client does: a 503 (the last units kept moving between buckets) is retried with the same key. */
    private static ReserveOutcome untilAnswered(ReserveRequest request) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return STACK.store.reserve(request);
            } catch (DependencyUnavailableException e) {
                retried.incrementAndGet();
                assertThat(attempt).as("retries of " + request).isLessThan(50);
                Thread.sleep(5);
            }
        }
    }

    /** {@code count} buyers, each bucket homing half as many as the one before it, shuffled. */
    private static List<String> skewedBuyers(String saleId, int buckets, int count, String wave, Random random) {
        // weights 2^(n-1-b): with 3 buckets 4/7, 2/7, 1/7 of the buyers
        int[] want = new int[buckets];
        int total = (1 << buckets) - 1;
        int left = count;
        for (int b = 0; b < buckets; b++) {
            want[b] = b == buckets - 1 ? left : Math.max(1, count * (1 << (buckets - 1 - b)) / total);
            left -= want[b];
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            String buyer = wave + "-" + saleId + "-" + i;
            int home = Buckets.home(buyer, buckets);
            if (want[home] > 0) {
                want[home]--;
                out.add(buyer);
            }
        }
        Collections.shuffle(out, random);
        return out;
    }

    /** Confirms every hold through the ConfirmFunction's handler, in batches of up to 10 messages mixing buckets. */
    private static void confirmAll(Sale sale, List<Reservation> holds, Random random, String context) {
        ConfirmHandler confirmer = new ConfirmHandler(STACK.claims, STACK.fence);
        List<ConfirmationMessage> messages = new ArrayList<>();
        for (Reservation r : holds) {
            ConfirmationMessage m = ConfirmationMessage.of(r, Buckets.home(r.buyerId(), sale.buckets()));
            messages.add(m);
            if (random.nextInt(5) == 0) {
                messages.add(m); // a duplicate delivery
            }
        }
        Collections.shuffle(messages, random);
        for (int from = 0; from < messages.size(); from += 10) {
            List<ConfirmationMessage> batch = messages.subList(from, Math.min(messages.size(), from + 10));
            for (MessageResult result : confirmer.confirmAll(batch)) {
                assertThat(result).as(context).isInstanceOf(MessageResult.Acknowledged.class);
                assertThat(((MessageResult.Acknowledged) result).outcome())
                        .as(context)
                        .isIn(ConfirmOutcome.CONFIRMED, ConfirmOutcome.ALREADY_CONFIRMED);
            }
        }
    }
}

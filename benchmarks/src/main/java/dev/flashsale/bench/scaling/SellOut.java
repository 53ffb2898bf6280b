package dev.flashsale.bench.scaling;

import dev.flashsale.bench.throughput.Latencies;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tail of a bucketed sale: a small stock sold to a skewed crowd ({@code skewPercent}% of the buyers have bucket 0
 * as their home, the rest spread by crc32; the benchmark's default is 50%, 0 means crc32 alone),
 * spread by crc32), so bucket 0 runs dry first and its buyers borrow from the others, which then run dry one after
 * another. The crowd goes on until every thread has been told "sold out" a few times; then the books are read. What
 * must hold: every unit sold exactly once (holds = reservation records = stock), nothing left in any bucket (Σ
 * available = 0) or in transfer (Σ allot = stock, every lend accepted), and no other refusal or error ({@link
 * Result#ok}). What should hold and is counted, not enforced: no refusal while units remained, i.e. none that returned
 * before a hold that succeeded had started (units only leave by holds here: nothing is cancelled or expires), with how
 * many refusals said themselves that units remained ({@code SoldOut.available > 0}: the store gave up after its rounds
 * of borrowing lost the moved units to other buyers of the same home bucket).
 */
final class SellOut {

    private SellOut() {}

    /**
     * One sell-out.
     *
     * @param earlyRefusals sold-out refusals that returned before the last successful hold started: premature
     * @param withUnits     sold-out refusals whose {@code available} (the store's read of every bucket) was above 0
     * @param dryAtMillis   when a monitor first read each bucket's counter at 0 (ms from the start; -1: never seen)
     * @param retried       503s retried with the same key (a request whose borrowed units other buyers kept taking)
     */
    record Result(
            int shards,
            BucketedSale sale,
            int skewPercent,
            double seconds,
            long held,
            long soldOut,
            long otherRefusals,
            long retried,
            long errors,
            String firstError,
            long earlyRefusals,
            long withUnits,
            double heldP50Millis,
            double heldP99Millis,
            long[] dryAtMillis,
            BucketedSale.Ledger ledger) {

        boolean ok() {
            return held == sale.stock()
                    && ledger.totalReservations() == sale.stock()
                    && ledger.totalAvailable() == 0
                    && ledger.totalAllot() == sale.stock()
                    && ledger.transfers() == ledger.accepted()
                    && ledger.lentUnits() == ledger.receivedUnits()
                    && otherRefusals == 0
                    && errors == 0;
        }

        /** OK, OK with premature refusals (counted), or FAILED (a unit lost, sold twice or left over; an error). */
        String verdict() {
            return !ok() ? "FAILED" : earlyRefusals == 0 ? "OK" : "OK, " + earlyRefusals + " premature";
        }

        String report() {
            StringBuilder b = new StringBuilder(String.format(
                    Locale.ROOT,
                    "  %d shard%s, sell-out of %d units in %d buckets (per shard %s), %d%% of buyers homed in bucket 0:"
                            + " %s in %.2f s;"
                            + " held %d (p50 %.2f ms, p99 %.2f ms), sold-out refusals %d (%d returned before the last"
                            + " successful hold started; %d said units remained), other refusals %d, 503s retried %d,"
                            + " errors %d%n",
                    shards,
                    shards == 1 ? "" : "s",
                    sale.stock(),
                    sale.buckets(),
                    Arrays.toString(sale.perMaster()),
                    skewPercent,
                    verdict(),
                    seconds,
                    held,
                    heldP50Millis,
                    heldP99Millis,
                    soldOut,
                    earlyRefusals,
                    withUnits,
                    otherRefusals,
                    retried,
                    errors));
            b.append(String.format(
                    Locale.ROOT,
                    "    after: Σ available %d, Σ reservation records %d, Σ allot %d (stock %d); transfers %d lent"
                            + " (%d units), %d accepted (%d units)%n",
                    ledger.totalAvailable(),
                    ledger.totalReservations(),
                    ledger.totalAllot(),
                    sale.stock(),
                    ledger.transfers(),
                    ledger.lentUnits(),
                    ledger.accepted(),
                    ledger.receivedUnits()));
            b.append("    per bucket: reservations ")
                    .append(Arrays.toString(ledger.reservations()))
                    .append(", first read empty at ms ")
                    .append(Arrays.toString(dryAtMillis));
            if (errors > 0) {
                b.append("; first error: ").append(firstError);
            }
            return b.toString();
        }
    }

    /** As a client does: a 503 is retried with the same idempotency key (a few times, then it is an error). */
    private static ReserveOutcome reserveRetrying(ReservationStore store, ReserveRequest request, LongAdder retried) {
        for (int attempt = 0; ; attempt++) {
            try {
                return store.reserve(request);
            } catch (DependencyUnavailableException e) {
                if (attempt == 20) {
                    throw e;
                }
                retried.increment();
            }
        }
    }

    static Result run(LocalCluster cluster, int shards, BucketedSale sale, int skewPercent, int threads, Duration limit)
            throws Exception {
        try (RedisConnection redis = ClusterScalingBench.connect(cluster, threads + 2)) {
            sale.load(redis);
            ReservationStore store = new ReservationStore(redis, ClusterScalingBench.POLICY, ReplicaAck.NONE);
            int buckets = sale.buckets();
            AtomicLong seq = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder held = new LongAdder();
            LongAdder soldOut = new LongAdder();
            LongAdder other = new LongAdder();
            LongAdder errors = new LongAdder();
            LongAdder retried = new LongAdder();
            AtomicReference<String> firstError = new AtomicReference<>();
            AtomicLong lastHoldStart = new AtomicLong(Long.MIN_VALUE);
            Queue<long[]> refusals = new ConcurrentLinkedQueue<>(); // {returned at (ns), units it said remained}
            long[][] latencies = new long[threads][];
            int[] counts = new int[threads];
            int refusalsToStop = 4 * threads;
            long started = System.nanoTime();
            long deadline = started + limit.toNanos();
            long[] dryAt = new long[buckets];
            Arrays.fill(dryAt, -1);
            List<SaleKeys> keys = Buckets.all(sale.id(), buckets);
            Thread monitor = Thread.ofPlatform().name("sellout-monitor").start(() -> {
                while (!stop.get()) {
                    for (SaleKeys k : keys) {
                        if (dryAt[k.bucket()] < 0) {
                            String v = redis.call(c -> c.get(k.stock()));
                            if (v != null && Long.parseLong(v) <= 0) {
                                dryAt[k.bucket()] = (System.nanoTime() - started) / 1_000_000;
                            }
                        }
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<Thread> workers = new ArrayList<>();
            String run = "s" + shards + "-";
            for (int t = 0; t < threads; t++) {
                int id = t;
                latencies[id] = new long[1024];
                workers.add(Thread.ofPlatform().name("sellout-" + id).start(() -> {
                    while (!stop.get()) {
                        long n = seq.incrementAndGet();
                        String buyer = "t" + run + n;
                        if (n % 100 < skewPercent) { // the skew: this buyer's home is bucket 0
                            String base = buyer;
                            for (int i = 1; Buckets.home(buyer, buckets) != 0; i++) {
                                buyer = base + "-" + i;
                            }
                        }
                        long start = System.nanoTime();
                        ReserveOutcome outcome;
                        try {
                            outcome = reserveRetrying(store, new ReserveRequest(sale.id(), buyer, "k" + n, 1), retried);
                        } catch (RuntimeException e) {
                            errors.increment();
                            firstError.compareAndSet(null, e.toString());
                            continue;
                        }
                        long end = System.nanoTime();
                        if (outcome instanceof ReserveOutcome.Held) {
                            held.increment();
                            lastHoldStart.accumulateAndGet(start, Math::max);
                            if (counts[id] == latencies[id].length) {
                                latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                            }
                            latencies[id][counts[id]++] = end - start;
                        } else if (outcome instanceof ReserveOutcome.Refused r
                                && r.refusal() instanceof Refusal.SoldOut so) {
                            soldOut.increment();
                            refusals.add(new long[] {end, so.available()});
                        } else {
                            other.increment();
                            firstError.compareAndSet(null, outcome.toString());
                        }
                        if (soldOut.sum() >= refusalsToStop || end > deadline) {
                            stop.set(true);
                        }
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            stop.set(true);
            monitor.join();
            double seconds = (System.nanoTime() - started) / 1e9;
            long last = lastHoldStart.get();
            long early = refusals.stream().filter(r -> r[0] < last).count();
            long withUnits = refusals.stream().filter(r -> r[1] > 0).count();
            long[] all = Latencies.merge(latencies, counts);
            return new Result(
                    shards,
                    sale,
                    skewPercent,
                    seconds,
                    held.sum(),
                    soldOut.sum(),
                    other.sum(),
                    retried.sum(),
                    errors.sum(),
                    firstError.get(),
                    early,
                    withUnits,
                    Latencies.percentileMs(all, 0.50),
                    Latencies.percentileMs(all, 0.99),
                    dryAt,
                    sale.ledger(redis));
        }
    }
}

package dev.flashsale.bench.throughput;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.Jedis;

/** Runs a {@link Workload} with N client threads: a warm-up, then a fixed measured window. */
final class Runner {

    private final Jedis info;

    Runner(Jedis info) {
        this.info = info;
    }

    /** One measured window of one workload at one thread count. */
    record Result(
            String series,
            int threads,
            double seconds,
            long units,
            long ops,
            long refused,
            long errors,
            String firstError,
            double p50Millis,
            double p99Millis,
            double redisUsecPerUnit,
            CommandStats delta,
            double foreignShare,
            boolean exhausted,
            String check,
            double jvmCpuMicrosPerUnit) {

        double perSecond() {
            return seconds > 0 ? units / seconds : 0;
        }
    }

    private static final int WARMUP = 1;
    private static final int MEASURE = 2;
    private static final int STOP = 3;

    Result measure(Workload w, int threads, long stock, Duration warmup, Duration window) throws Exception {
        w.prepare(threads, stock);
        AtomicLong phase = new AtomicLong(WARMUP);
        AtomicLong totalUnits = new AtomicLong();
        AtomicLong units = new AtomicLong();
        AtomicLong ops = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicLong exhaustedThreads = new AtomicLong();
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            latencies[id] = new long[4096];
            Thread worker = Thread.ofPlatform()
                    .name("bench-" + w.name() + "-" + id)
                    .start(() -> {
                        try {
                            while (true) {
                                long p = phase.get();
                                if (p == STOP) {
                                    break;
                                }
                                long start = System.nanoTime();
                                long sold;
                                try {
                                    sold = w.attempt(id);
                                } catch (Exception | Error e) {
                                    errors.incrementAndGet();
                                    firstError.compareAndSet(null, e.toString());
                                    sleepQuietly();
                                    continue;
                                }
                                long took = System.nanoTime() - start;
                                if (sold == Workload.EXHAUSTED) {
                                    exhaustedThreads.incrementAndGet();
                                    break;
                                }
                                totalUnits.addAndGet(sold);
                                if (p == MEASURE && phase.get() == MEASURE) {
                                    ops.incrementAndGet();
                                    units.addAndGet(sold);
                                    if (sold == 0) {
                                        refused.incrementAndGet();
                                    }
                                    if (counts[id] == latencies[id].length) {
                                        latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                                    }
                                    latencies[id][counts[id]++] = took;
                                }
                            }
                        } finally {
                            done.countDown();
                        }
                    });
            workers.add(worker);
        }
        done.await(warmup.toMillis(), TimeUnit.MILLISECONDS);
        CommandStats before = CommandStats.read(info);
        java.util.Map<String, Long> callsBefore = w.redisCalls();
        long cpuBefore = Latencies.processCpuNanos();
        long started = System.nanoTime();
        phase.set(MEASURE);
        done.await(window.toMillis(), TimeUnit.MILLISECONDS);
        phase.set(STOP);
        long ended = System.nanoTime();
        long cpu = Latencies.processCpuNanos() - cpuBefore;
        CommandStats delta = CommandStats.read(info).minus(before);
        java.util.Map<String, Long> ours = Calls.minus(w.redisCalls(), callsBefore);
        for (Thread worker : workers) {
            worker.join();
        }
        String check;
        try {
            check = w.verify(totalUnits.get(), stock);
        } catch (Exception e) {
            check = "FAIL: verification threw " + e;
        }
        w.cleanup();
        long[] all = Latencies.merge(latencies, counts);
        double redisUsec = ours.isEmpty() ? Double.NaN : Calls.usec(ours, delta);
        double foreign = ours.isEmpty() ? Double.NaN : Calls.foreignShare(ours, delta);
        return new Result(
                w.name(),
                threads,
                (ended - started) / 1e9,
                units.get(),
                ops.get(),
                refused.get(),
                errors.get(),
                firstError.get(),
                Latencies.percentileMs(all, 0.50),
                Latencies.percentileMs(all, 0.99),
                units.get() == 0 ? Double.NaN : redisUsec / units.get(),
                delta,
                foreign,
                exhaustedThreads.get() > 0,
                check,
                units.get() == 0 ? Double.NaN : cpu / 1e3 / units.get());
    }

    /** Sells a small stock out with N threads, each until its first refusal; then checks nothing was oversold. */
    String sellOut(Workload w, int threads, long stock) throws Exception {
        w.prepare(threads, stock);
        AtomicLong sold = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        long u = w.attempt(id);
                        if (u <= 0) {
                            return;
                        }
                        sold.addAndGet(u);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                        sleepQuietly();
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        String check = w.verify(sold.get(), stock);
        w.cleanup();
        String verdict = sold.get() > stock
                ? "OVERSOLD by " + (sold.get() - stock)
                : sold.get() < stock ? "undersold by " + (stock - sold.get()) : "sold exactly the stock";
        return String.format(
                java.util.Locale.ROOT,
                "%d units sold of %d (%s); %s%s",
                sold.get(),
                stock,
                verdict,
                check,
                errors.get() > 0 ? "; " + errors.get() + " errors, first: " + firstError.get() : "");
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

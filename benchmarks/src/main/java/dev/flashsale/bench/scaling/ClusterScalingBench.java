package dev.flashsale.bench.scaling;

import dev.flashsale.bench.throughput.CommandStats;
import dev.flashsale.bench.throughput.Latencies;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.log.JsonLog;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.event.Level;
import redis.clients.jedis.Jedis;

/**
 * Issue 19 item 3: reservations spread over a Redis Cluster of 1, 2 and 3 masters started by this JVM
 * ({@link LocalCluster}), through {@link ReservationStore#reserve} (reserve.lua, one EVALSHA, {@link ReplicaAck#NONE};
 * for a split sale also the borrowing of {@code StockTransfers}) from client threads with a new buyer each time. Two
 * loads, each measured on every shard count: many sales dealt round-robin over the masters ({@link ManySales}), and one
 * hot sale split into stock buckets spread over the masters ({@link BucketedSale}); then one un-split sale at the
 * largest shard count, which stays on one shard, and for each shard count a sell-out of a small bucketed stock
 * ({@link SellOut}). Per measured run: reservations/s, p50/p99, and per shard the calls, their share, Redis µs per call
 * ({@code INFO commandstats}), the process's CPU ({@code INFO cpu}) and the capacity they imply, with the stock
 * transfers and sold-out refusals. See docs/scaling.md.
 *
 * <p>System properties: {@code scaling.shards} (default 1,2,3), {@code scaling.load} ({@code sales}, {@code buckets} or
 * {@code both}, the default), {@code scaling.sales} (default 12), {@code scaling.buckets} (of the split sale, default
 * 6), {@code scaling.threads} (default 16), {@code scaling.warmup} (seconds, default 3), {@code scaling.seconds}
 * (measured window, default 5), {@code scaling.single} (the un-split sale, default true), {@code scaling.sellout} (the
 * sell-out of a split sale, default true), {@code scaling.selloutStock} (its units, default 3000), {@code scaling.selloutSkew} (the percentage
 * of its buyers whose home is bucket 0, default 50; 0: crc32 alone), {@code scaling.out}
 * (output directory, default target/scaling next to the jar). Run: {@code java -cp
 * benchmarks/target/throughput-bench.jar dev.flashsale.bench.scaling.ClusterScalingBench}. Needs {@code redis-server}
 * (7.0 or later) on the PATH; touches no other Redis and no database. Exit code 1 when a run had errors or a sell-out
 * broke a rule.
 */
public final class ClusterScalingBench {

    /** Fresh buyers, so the per-buyer limits never refuse; rate limits far above anything one buyer does. */
    static final ReservationPolicy POLICY = new ReservationPolicy(
            Duration.ofMinutes(30), 100_000, 100_000, Duration.ofMinutes(10), Duration.ofSeconds(5));

    /** Commands a client or the benchmark sends outside scripts that are not the workload's (topology, probes). */
    private static final List<String> ADMIN =
            List.of("info", "cluster", "client", "hello", "ping", "command", "script", "config");

    private ClusterScalingBench() {}

    /** One shard's figures over one measured window. */
    record Shard(
            int port,
            int targets,
            long clientCalls,
            long evalshaCalls,
            long evalshaUsec,
            long adminUsec,
            double cpuSeconds) {

        double usecPerCall() {
            return evalshaCalls == 0 ? Double.NaN : (double) evalshaUsec / evalshaCalls;
        }

        double cpuUsecPerCall() {
            return evalshaCalls == 0 ? Double.NaN : cpuSeconds * 1e6 / evalshaCalls;
        }

        /** Reservations/s this shard could serve if its script time were all it did (one core, 100% busy). */
        double capacity() {
            return evalshaCalls == 0 ? 0 : 1e6 / usecPerCall();
        }

        /** The same from the whole process's CPU per call (network I/O and protocol included): the lower bound. */
        double cpuCapacity() {
            return evalshaCalls == 0 || cpuSeconds <= 0 ? 0 : 1e6 / cpuUsecPerCall();
        }
    }

    /** One measured window: a load over one cluster. */
    record Run(
            int shards,
            String load,
            double seconds,
            long reservations,
            long refused,
            long soldOut,
            long transfers,
            long errors,
            String firstError,
            double p50Millis,
            double p99Millis,
            double clientCpuSeconds,
            List<Shard> perShard) {

        double perSecond() {
            return reservations / seconds;
        }

        double capacity() {
            return perShard.stream().mapToDouble(Shard::capacity).sum();
        }

        double cpuCapacity() {
            return perShard.stream().mapToDouble(Shard::cpuCapacity).sum();
        }

        long calls() {
            return perShard.stream().mapToLong(Shard::clientCalls).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> shardCounts = new ArrayList<>();
        for (String s : System.getProperty("scaling.shards", "1,2,3").split(",")) {
            if (!s.isBlank()) {
                shardCounts.add(Integer.parseInt(s.trim()));
            }
        }
        String loads = System.getProperty("scaling.load", "both");
        if (!List.of("sales", "buckets", "both").contains(loads)) {
            throw new IllegalArgumentException("scaling.load must be sales, buckets or both, was " + loads);
        }
        boolean manySales = !loads.equals("buckets");
        boolean bucketed = !loads.equals("sales");
        int sales = Integer.getInteger("scaling.sales", 12);
        int buckets = Integer.getInteger("scaling.buckets", 6);
        boolean sellout = bucketed && Boolean.parseBoolean(System.getProperty("scaling.sellout", "true"));
        int selloutStock = Integer.getInteger("scaling.selloutStock", 3000);
        int skew = Integer.getInteger("scaling.selloutSkew", 50);
        if (skew < 0 || skew > 100) {
            throw new IllegalArgumentException("scaling.selloutSkew must be 0..100 (percent), was " + skew);
        }
        int threads = Integer.getInteger("scaling.threads", 16);
        double warmupSeconds = Double.parseDouble(System.getProperty("scaling.warmup", "3"));
        double seconds = Double.parseDouble(System.getProperty("scaling.seconds", "5"));
        boolean single = manySales && Boolean.parseBoolean(System.getProperty("scaling.single", "true"));
        Path out = Path.of(System.getProperty("scaling.out", defaultOut().toString()));
        Duration warmup = Duration.ofMillis((long) (warmupSeconds * 1000));
        Duration window = Duration.ofMillis((long) (seconds * 1000));
        String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
        JsonLog.threshold(Level.ERROR); // Jedis' RESP3 notice for each probe connection would bury the figures
        int largest = shardCounts.stream().mapToInt(Integer::intValue).max().orElse(1);

        StringBuilder text = new StringBuilder();
        String header = String.format(
                Locale.ROOT,
                "cluster scaling benchmark (issue 19 item 3), %s%n"
                        + "java %s, %d CPUs (%s), load average %.2f; %s%n"
                        + "shards %s; loads: %s; %d client threads, %.1f s warm-up, %.1f s measured;"
                        + " ReservationStore.reserve (reserve.lua, ReplicaAck.NONE), a new buyer per call%n"
                        + "The client threads and every redis-server share this machine's CPUs: reservations/s cannot"
                        + " grow with N here.%nWhat should: each shard's share of the calls (~1/N), its Redis time per"
                        + " reservation of the whole run (~1/N of its µs per call),%nand the aggregate capacity (the sum"
                        + " of each shard's 1e6 / µs per call: what N dedicated cores would serve), ~N.",
                Instant.now(),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                redisVersion(),
                shardCounts,
                (manySales ? sales + " sales dealt round-robin over the masters" : "")
                        + (manySales && bucketed ? ", " : "")
                        + (bucketed
                                ? "one sale split into " + buckets + " buckets spread over the masters (homes by"
                                        + " crc32 of the buyer, borrowing when a home runs short)"
                                : "")
                        + (single ? ", one un-split sale at " + largest + " shards" : "")
                        + (sellout
                                ? ", a sell-out of " + selloutStock + " units in " + buckets + " buckets (" + skew
                                        + "% of its buyers homed in bucket 0)"
                                : ""),
                threads,
                warmupSeconds,
                seconds);
        print(text, header);

        List<Run> runs = new ArrayList<>();
        List<SellOut.Result> sellouts = new ArrayList<>();
        for (int n : shardCounts) {
            try (LocalCluster cluster = LocalCluster.start(n)) {
                if (manySales) {
                    ManySales many =
                            new ManySales("scale-" + runId + "-n" + n, sales, n, cluster::ownerOf, Duration.ZERO);
                    Run r = measure(cluster, n, many, threads, warmup, window);
                    runs.add(r);
                    print(text, line(r));
                }
                if (bucketed) {
                    BucketedSale hot =
                            new BucketedSale("hot-" + runId + "-n" + n, buckets, n, cluster::ownerOf, ManySales.STOCK);
                    Run r = measure(cluster, n, hot, threads, warmup, window);
                    runs.add(r);
                    print(text, line(r) + "; buckets per shard " + Arrays.toString(hot.perMaster()));
                }
                if (sellout) {
                    BucketedSale small =
                            new BucketedSale("tail-" + runId + "-n" + n, buckets, n, cluster::ownerOf, selloutStock);
                    SellOut.Result t = SellOut.run(cluster, n, small, skew, threads, Duration.ofSeconds(20));
                    sellouts.add(t);
                    print(text, t.report());
                }
                if (single && n == largest) {
                    ManySales one = new ManySales("scale-" + runId + "-one", 1, n, cluster::ownerOf, Duration.ZERO);
                    Run s = measure(cluster, n, one, threads, warmup, window);
                    runs.add(s);
                    print(text, line(s));
                }
            }
        }
        print(text, "");
        print(text, table(runs));
        print(text, "");
        print(text, "markdown:");
        String md = markdown(runs) + (sellouts.isEmpty() ? "" : "\n" + selloutMarkdown(sellouts));
        print(text, md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.txt"), text.toString());
        Files.writeString(out.resolve("results.md"), md);
        System.out.println("written: " + out.resolve("results.txt").toAbsolutePath() + ", results.md");
        boolean failed =
                runs.stream().anyMatch(r -> r.errors() > 0) || sellouts.stream().anyMatch(t -> !t.ok());
        System.exit(failed ? 1 : 0);
    }

    private static final int WARMUP = 1;
    private static final int MEASURE = 2;
    private static final int STOP = 3;

    static Run measure(
            LocalCluster cluster, int shards, LoadTargets load, int threads, Duration warmup, Duration window)
            throws Exception {
        List<LocalCluster.Node> nodes = cluster.nodes();
        int[] shardOf = load.slots().stream().mapToInt(cluster::ownerOf).toArray();
        try (RedisConnection redis = connect(cluster, threads + 4)) {
            load.load(redis);
            ReservationStore store = new ReservationStore(redis, POLICY, ReplicaAck.NONE);
            AtomicInteger phase = new AtomicInteger(WARMUP);
            AtomicLong seq = new AtomicLong();
            LongAdder[] perTarget = new LongAdder[load.size()];
            Arrays.setAll(perTarget, i -> new LongAdder());
            LongAdder refused = new LongAdder();
            LongAdder soldOut = new LongAdder();
            LongAdder errors = new LongAdder();
            AtomicReference<String> firstError = new AtomicReference<>();
            long[][] latencies = new long[threads][];
            int[] counts = new int[threads];
            List<Thread> workers = new ArrayList<>();
            String run = "n" + shards + "-" + load.size() + "-";
            for (int t = 0; t < threads; t++) {
                int id = t;
                latencies[id] = new long[8192];
                workers.add(Thread.ofPlatform().name("scaling-" + id).start(() -> {
                    while (true) {
                        int p = phase.get();
                        if (p == STOP) {
                            return;
                        }
                        long n = seq.incrementAndGet();
                        int target = (int) (n % load.size());
                        String buyer = "b" + run + n;
                        long start = System.nanoTime();
                        ReserveOutcome outcome;
                        try {
                            outcome = load.reserve(store, target, buyer, "k" + n);
                        } catch (RuntimeException e) {
                            errors.increment();
                            firstError.compareAndSet(null, e.toString());
                            pauseQuietly();
                            continue;
                        }
                        long took = System.nanoTime() - start;
                        if (p == MEASURE && phase.get() == MEASURE) {
                            if (outcome instanceof ReserveOutcome.Held) {
                                perTarget[load.served(target, buyer)].increment();
                            } else {
                                refused.increment();
                                if (outcome instanceof ReserveOutcome.Refused f
                                        && f.refusal() instanceof Refusal.SoldOut) {
                                    soldOut.increment();
                                }
                            }
                            if (counts[id] == latencies[id].length) {
                                latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                            }
                            latencies[id][counts[id]++] = took;
                        }
                    }
                }));
            }
            Thread.sleep(warmup.toMillis());
            CommandStats[] statsBefore = new CommandStats[nodes.size()];
            double[] cpuBefore = new double[nodes.size()];
            snapshot(nodes, statsBefore, cpuBefore);
            long clientCpuBefore = Latencies.processCpuNanos();
            long started = System.nanoTime();
            phase.set(MEASURE);
            Thread.sleep(window.toMillis());
            phase.set(STOP);
            long ended = System.nanoTime();
            long clientCpu = Latencies.processCpuNanos() - clientCpuBefore;
            CommandStats[] statsAfter = new CommandStats[nodes.size()];
            double[] cpuAfter = new double[nodes.size()];
            snapshot(nodes, statsAfter, cpuAfter);
            for (Thread w : workers) {
                w.join();
            }
            List<Shard> perShard = new ArrayList<>();
            long reservations = 0;
            for (int s = 0; s < nodes.size(); s++) {
                long calls = 0;
                int targets = 0;
                for (int t = 0; t < load.size(); t++) {
                    if (shardOf[t] == s) {
                        calls += perTarget[t].sum();
                        targets++;
                    }
                }
                reservations += calls;
                CommandStats d = statsAfter[s].minus(statsBefore[s]);
                long admin = 0;
                for (var e : d.usec().entrySet()) {
                    String base = e.getKey().contains("|")
                            ? e.getKey().substring(0, e.getKey().indexOf('|'))
                            : e.getKey();
                    if (ADMIN.contains(base)) {
                        admin += e.getValue();
                    }
                }
                perShard.add(new Shard(
                        nodes.get(s).port(),
                        targets,
                        calls,
                        d.scriptCalls(),
                        d.scriptUsec(),
                        admin,
                        cpuAfter[s] - cpuBefore[s]));
            }
            long[] all = Latencies.merge(latencies, counts);
            return new Run(
                    shards,
                    load.describe(),
                    (ended - started) / 1e9,
                    reservations,
                    refused.sum(),
                    soldOut.sum(),
                    load.transfers(redis),
                    errors.sum(),
                    firstError.get(),
                    Latencies.percentileMs(all, 0.50),
                    Latencies.percentileMs(all, 0.99),
                    clientCpu / 1e9,
                    perShard);
        }
    }

    /** A cluster-mode connection to the local cluster, as a function's would be (a breaker, no telemetry). */
    static RedisConnection connect(LocalCluster cluster, int poolSize) {
        RedisSettings settings = RedisSettings.of(cluster.url())
                .withClusterMode(true)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .withPoolSize(poolSize);
        return new RedisConnection(
                settings, Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(10))), Telemetry.noop());
    }

    private static void snapshot(List<LocalCluster.Node> nodes, CommandStats[] stats, double[] cpu) {
        for (int s = 0; s < nodes.size(); s++) {
            try (Jedis j = nodes.get(s).connect()) {
                cpu[s] = cpuSeconds(j.info("cpu"));
                stats[s] = CommandStats.read(j);
            }
        }
    }

    /** {@code used_cpu_sys + used_cpu_user} of the server process (all its threads), seconds. */
    static double cpuSeconds(String info) {
        double total = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                total +=
                        Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }

    private static String line(Run r) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "  %d shard%s, %-9s %8.0f reservations/s  p50 %5.2f ms  p99 %6.2f ms  client CPU %.2f s of %.2f s"
                        + "  capacity %8.0f/s (script µs), %8.0f/s (process CPU)%s",
                r.shards(),
                r.shards() == 1 ? " " : "s",
                r.load() + ":",
                r.perSecond(),
                r.p50Millis(),
                r.p99Millis(),
                r.clientCpuSeconds(),
                r.seconds(),
                r.capacity(),
                r.cpuCapacity(),
                r.errors() > 0 ? "; " + r.errors() + " errors, first: " + r.firstError() : ""));
        if (r.refused() > 0) {
            b.append("; ")
                    .append(r.refused())
                    .append(" refused (")
                    .append(r.soldOut())
                    .append(" sold out)");
        }
        if (r.transfers() > 0) {
            b.append("; ").append(r.transfers()).append(" stock transfers");
        }
        return b.toString();
    }

    static String table(List<Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-6s %-9s %5s %7s %5s %9s %7s %9s %9s %9s %6s %8s %10s %10s%n",
                "shards",
                "load",
                "shard",
                "targets",
                "share",
                "calls",
                "µs/call",
                "µs/resv",
                "busy",
                "CPU s",
                "CPU µs",
                "admin µs",
                "cap/s",
                "cap/s CPU"));
        for (Run r : runs) {
            for (int s = 0; s < r.perShard().size(); s++) {
                Shard sh = r.perShard().get(s);
                b.append(String.format(
                        Locale.ROOT,
                        "%-6d %-9s %5s %7d %4.0f%% %9d %7.1f %9.2f %8.0f%% %9.2f %6.1f %8d %10.0f %10.0f%n",
                        r.shards(),
                        r.load(),
                        "#" + (s + 1),
                        sh.targets(),
                        share(sh, r),
                        sh.clientCalls(),
                        sh.usecPerCall(),
                        r.calls() == 0 ? Double.NaN : (double) sh.evalshaUsec() / r.calls(),
                        100.0 * sh.evalshaUsec() / 1e6 / r.seconds(),
                        sh.cpuSeconds(),
                        sh.cpuUsecPerCall(),
                        sh.adminUsec(),
                        sh.capacity(),
                        sh.cpuCapacity()));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "%-6d %-9s %5s  => %.0f reservations/s, p50 %.2f ms, p99 %.2f ms; aggregate capacity %.0f/s"
                            + " (script µs), %.0f/s (process CPU); %d stock transfers, %d sold-out refusals%n",
                    r.shards(),
                    r.load(),
                    "all",
                    r.perSecond(),
                    r.p50Millis(),
                    r.p99Millis(),
                    r.capacity(),
                    r.cpuCapacity(),
                    r.transfers(),
                    r.soldOut()));
        }
        b.append(
                "targets: the sales or buckets the shard holds; share: the shard's part of the run's reservations; µs/call: its evalsha time per call (INFO"
                        + " commandstats);\nµs/resv: its evalsha time per reservation of the whole run (falls as 1/N when the"
                        + " load spreads); busy: its evalsha time / the window;\nCPU s: used_cpu_sys+used_cpu_user of the"
                        + " redis-server process over the window (INFO cpu), CPU µs per call from it;\nadmin µs: INFO/CLUSTER"
                        + " and other non-workload commands (the benchmark's probes, the client's topology reads);\ncap/s:"
                        + " 1e6 / µs per call, what the shard serves on one dedicated core; cap/s CPU: the same from the"
                        + " process CPU per call (network I/O included).");
        return b.toString();
    }

    static String markdown(List<Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append("| shards | load | targets per shard | reservations/s | p50 ms | p99 ms | per shard: share of calls |"
                + " per shard: evalsha µs/call | per shard: evalsha µs per reservation of the run |"
                + " per shard: CPU µs/call (INFO cpu) | aggregate capacity/s (Σ 1e6/µs per call) |"
                + " aggregate capacity/s from process CPU | stock transfers | sold-out refusals |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            List<String> targets = new ArrayList<>();
            List<String> shares = new ArrayList<>();
            List<String> usec = new ArrayList<>();
            List<String> perResv = new ArrayList<>();
            List<String> cpu = new ArrayList<>();
            for (Shard sh : r.perShard()) {
                targets.add(Integer.toString(sh.targets()));
                shares.add(String.format(Locale.ROOT, "%.0f%%", share(sh, r)));
                usec.add(Double.isNaN(sh.usecPerCall()) ? "–" : String.format(Locale.ROOT, "%.1f", sh.usecPerCall()));
                perResv.add(String.format(
                        Locale.ROOT, "%.2f", r.calls() == 0 ? Double.NaN : (double) sh.evalshaUsec() / r.calls()));
                cpu.add(
                        Double.isNaN(sh.cpuUsecPerCall())
                                ? "–"
                                : String.format(Locale.ROOT, "%.1f", sh.cpuUsecPerCall()));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %.0f | %.0f | %d | %d |%n",
                    r.shards(),
                    r.load(),
                    String.join(" / ", targets),
                    r.perSecond(),
                    r.p50Millis(),
                    r.p99Millis(),
                    String.join(" / ", shares),
                    String.join(" / ", usec),
                    String.join(" / ", perResv),
                    String.join(" / ", cpu),
                    r.capacity(),
                    r.cpuCapacity(),
                    r.transfers(),
                    r.soldOut()));
        }
        return b.toString();
    }

    static String selloutMarkdown(List<SellOut.Result> sellouts) {
        StringBuilder b = new StringBuilder();
        b.append("| shards | stock, buckets (per shard), buyers homed in bucket 0 | result | seconds | held | sold-out"
                + " refusals | of them before the last successful hold started (premature) | of them saying units"
                + " remained | Σ available after | Σ reservation records | Σ allot | transfers lent / accepted (units) |"
                + " per bucket: first read empty at ms |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SellOut.Result t : sellouts) {
            BucketedSale.Ledger l = t.ledger();
            b.append(String.format(
                    Locale.ROOT,
                    "| %d | %d, %d (%s), %d%% | %s | %.2f | %d | %d | %d | %d | %d | %d | %d | %d / %d (%d / %d) | %s |%n",
                    t.shards(),
                    t.sale().stock(),
                    t.sale().buckets(),
                    Arrays.stream(t.sale().perMaster())
                            .mapToObj(Integer::toString)
                            .collect(Collectors.joining(" / ")),
                    t.skewPercent(),
                    t.verdict(),
                    t.seconds(),
                    t.held(),
                    t.soldOut(),
                    t.earlyRefusals(),
                    t.withUnits(),
                    l.totalAvailable(),
                    l.totalReservations(),
                    l.totalAllot(),
                    l.transfers(),
                    l.accepted(),
                    l.lentUnits(),
                    l.receivedUnits(),
                    Arrays.stream(t.dryAtMillis()).mapToObj(Long::toString).collect(Collectors.joining(" / "))));
        }
        return b.toString();
    }

    private static double share(Shard sh, Run r) {
        return r.calls() == 0 ? 0 : 100.0 * sh.clientCalls() / r.calls();
    }

    private static void print(StringBuilder text, String s) {
        System.out.println(s);
        text.append(s).append('\n');
    }

    private static void pauseQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "?";
    }

    private static String redisVersion() {
        try {
            Process p = new ProcessBuilder("redis-server", "--version")
                    .redirectErrorStream(true)
                    .start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            int at = v.indexOf("v=");
            return "redis-server " + (at >= 0 ? v.substring(at + 2, v.indexOf(' ', at)) : v);
        } catch (Exception e) {
            return "redis-server ?";
        }
    }

    private static Path defaultOut() {
        try {
            Path jar = Path.of(ClusterScalingBench.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.getParent().resolve("scaling");
        } catch (Exception e) {
            return Path.of("target", "scaling");
        }
    }
}

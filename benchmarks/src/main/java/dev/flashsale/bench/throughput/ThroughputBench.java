package dev.flashsale.bench.throughput;

import dev.flashsale.local.Main;
import dev.flashsale.local.sqs.LocalSqsServer;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.log.JsonLog;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.event.Level;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue 15, items 1 and 4: this stack's reserve and confirm paths beside the limits of the same Redis and PostgreSQL and
 * beside what users build instead, for one hot sale, in one bounded run. Prints a table (units/s, p50/p99, Redis µs
 * per unit from {@code INFO commandstats}, correctness checks), the ratios against the goals, a sweep over
 * client threads, and writes the sweep as an SVG chart. See docs/performance.md.
 *
 * <p>System properties: {@code bench.seconds} (measured window of each measurement, default 2), {@code bench.warmup}
 * (seconds before it, default 0.3), {@code bench.threads} (the table's thread count, default 8), {@code bench.sweep}
 * (thread counts for the chart, default 1,2,4,8,16; empty: the table's only), {@code bench.sellout} (stock of the
 * sell-out checks, default 1000), {@code bench.handler} (measure ReserveHandler with a queue in this JVM, default true), {@code bench.queue} (that queue: memory, the local runner's in-memory SQS server, default; or elasticmq), {@code bench.batch} (messages per
 * call of the batched confirm measurement, default 50: the template's SQS batch size),
 * {@code bench.out} (output directory, default target/throughput next to the jar). Exit code 1 when a check failed (a
 * design oversold, or a store disagreed with what its clients were told), whatever design it was; 0 otherwise: a missed
 * goal is a figure, not a failure. Environment: {@code REDIS_URL}
 * (default redis://127.0.0.1:6379), {@code DATABASE_URL} (default
 * jdbc:postgresql://127.0.0.1:5432/flashsale_bench_tp, created and migrated if missing; user postgres).
 */
public final class ThroughputBench {

    /** Stock of a throughput measurement: more than any run sells, so every attempt succeeds. */
    static final long STOCK = 50_000_000;

    private ThroughputBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "2"));
        double warmupSeconds = Double.parseDouble(System.getProperty("bench.warmup", "0.3"));
        int n = Integer.getInteger("bench.threads", 8);
        List<Integer> sweep = new ArrayList<>();
        for (String s : System.getProperty("bench.sweep", "1,2,4,8,16").split(",")) {
            if (!s.isBlank()) {
                sweep.add(Integer.parseInt(s.trim()));
            }
        }
        long selloutStock = Long.getLong("bench.sellout", 1000);
        boolean withHandler = Boolean.parseBoolean(System.getProperty("bench.handler", "true"));
        int batch = Integer.getInteger("bench.batch", 50);
        Path out = Path.of(System.getProperty("bench.out", defaultOut().toString()));
        Duration window = Duration.ofMillis((long) (seconds * 1000));
        Duration warmup = Duration.ofMillis((long) (warmupSeconds * 1000));
        TreeSet<Integer> counts = new TreeSet<>(sweep);
        counts.add(n);
        JsonLog.threshold(Level.WARN); // ElasticMQ's INFO lines would interleave with the figures
        Main.localJvmSettings(); // the runner's keep-alive settings for the ReserveHandler's SDK client and queue
        // server
        Report report = new Report();
        boolean failed;
        long started = System.nanoTime();

        try (Stores stores = new Stores();
                RedisClient pool = stores.pool(Math.max(64, counts.last() + 4));
                Jedis info = stores.jedis()) {
            RedisConnection stackRedis = stores.stackRedis();
            report.line(String.format(
                    Locale.ROOT,
                    "throughput benchmark (issue 15 item 4), %s%n"
                            + "java %s, %d CPUs, load average %.2f; Redis %s at %s; %s, database %s%n"
                            + "each measurement: %.1f s warm-up, %.1f s measured; table at %d client threads; sweep %s;"
                            + " batched confirm: %d messages per batch",
                    Instant.now(),
                    System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    redisVersion(info),
                    stores.redisUrl,
                    postgresVersion(stores),
                    stores.databaseUrl,
                    warmupSeconds,
                    seconds,
                    n,
                    sweep,
                    batch));
            Runner runner = new Runner(info);
            RedisBaselines.MinimalScript minimal = new RedisBaselines.MinimalScript(stores, pool);
            StackWorkloads.Reserve reserve = new StackWorkloads.Reserve(stores, stackRedis);
            StackWorkloads.Confirm confirm = new StackWorkloads.Confirm(stores, stackRedis, reserve, 1);
            // the batched confirmer takes the holds of a reserve run of its own, made just before it and not reported
            StackWorkloads.Reserve reserveForBatch = new StackWorkloads.Reserve(stores, stackRedis);
            StackWorkloads.Confirm batched = new StackWorkloads.Confirm(stores, stackRedis, reserveForBatch, batch);
            PostgresWorkloads.RowLock rowLock = new PostgresWorkloads.RowLock(stores);
            RedisBaselines.SetNxLock setNx = new RedisBaselines.SetNxLock(stores, pool);
            RedisBaselines.DecrCompensate decr = new RedisBaselines.DecrCompensate(stores, pool);
            PostgresWorkloads.Raw raw1 = new PostgresWorkloads.Raw(stores, 1);
            PostgresWorkloads.Raw raw10 = new PostgresWorkloads.Raw(stores, 10);
            List<Workload> swept = List.of(minimal, reserve, confirm, batched, rowLock, setNx, decr);
            Map<String, Map<Integer, Runner.Result>> results = new LinkedHashMap<>();

            reserve.keepForConfirm = true;
            reserveForBatch.keepForConfirm = true;
            for (int t : counts) {
                for (Workload w : swept) {
                    if (w == batched) {
                        runner.measure(reserveForBatch, t, STOCK, warmup, window);
                    }
                    record(report, results, runner.measure(w, t, STOCK, warmup, window));
                }
                if (t == n) {
                    record(report, results, runner.measure(raw1, t, STOCK, warmup, window));
                    record(report, results, runner.measure(raw10, t, STOCK, warmup, window));
                }
            }
            reserve.keepForConfirm = false;
            confirm.close();
            batched.close();
            raw1.close();
            raw10.close();

            Runner.Result handler = null;
            if (withHandler) {
                handler = measureHandler(report, stores, stackRedis, runner, n, warmup, window);
                if (handler != null) {
                    record(report, results, handler);
                }
            }

            report.line("");
            report.line(String.format(
                    Locale.ROOT,
                    "sell-out checks: %d units, %d client threads, each until its first refusal",
                    selloutStock,
                    n));
            for (Workload w : List.of(minimal, reserve, rowLock, setNx, decr)) {
                report.line(String.format(Locale.ROOT, "  %-36s %s", w.name(), runner.sellOut(w, n, selloutStock)));
            }
            rowLock.close();
            stackRedis.close();

            report.table(results, n, handler);
            report.sweep(results, List.copyOf(counts));
            Path svg = out.resolve("throughput.svg");
            Map<String, Map<Integer, Double>> chart = new LinkedHashMap<>();
            for (Workload w : swept) {
                Map<Integer, Double> line = new LinkedHashMap<>();
                results.getOrDefault(w.name(), Map.of()).forEach((t, r) -> line.put(t, r.perSecond()));
                chart.put(w.name(), line);
            }
            Chart.write(
                    svg,
                    "Units/s for one hot sale vs client threads ("
                            + Instant.now().toString().substring(0, 10) + ", "
                            + Runtime.getRuntime().availableProcessors() + " CPUs)",
                    List.copyOf(counts),
                    chart);
            report.line(String.format(
                    Locale.ROOT,
                    "%nchart: %s%nwall time %.0f s, load average now %.2f",
                    svg.toAbsolutePath(),
                    (System.nanoTime() - started) / 1e9,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.txt"), report.text());
            failed = report.text().contains("FAIL");
            if (failed) {
                System.out.println("a check FAILED (see above): exit code 1");
            }
        }
        System.exit(failed ? 1 : 0);
    }

    private static void record(Report report, Map<String, Map<Integer, Runner.Result>> results, Runner.Result r) {
        results.computeIfAbsent(r.series(), k -> new LinkedHashMap<>()).put(r.threads(), r);
        report.line(String.format(
                Locale.ROOT,
                "  %-44s %2d threads %9.0f units/s  p50 %6.2f ms  p99 %7.2f ms  client CPU %7.1f µs/unit%s  %s%s",
                r.series(),
                r.threads(),
                r.perSecond(),
                r.p50Millis(),
                r.p99Millis(),
                r.jvmCpuMicrosPerUnit(),
                Double.isNaN(r.redisUsecPerUnit())
                        ? ""
                        : String.format(Locale.ROOT, "  Redis %6.1f µs/unit", r.redisUsecPerUnit()),
                r.check(),
                (r.errors() > 0 ? "; " + r.errors() + " errors, first: " + r.firstError() : "")
                        + (r.exhausted() ? "; ran out of holds to confirm" : "")));
    }

    /**
     * ReserveHandler with a real SQS-compatible queue started in this JVM, as the local runner does: its in-memory server
     * ({@code bench.queue=memory}, the default) or ElasticMQ ({@code bench.queue=elasticmq}); the function's own SDK
     * client sends to it over HTTP. Started only for this measurement.
     */
    private static Runner.Result measureHandler(
            Report report,
            Stores stores,
            RedisConnection redis,
            Runner runner,
            int threads,
            Duration warmup,
            Duration window) {
        String kind = System.getProperty("bench.queue", "memory");
        AutoCloseable server = null;
        try {
            URI endpoint;
            if (kind.equals("elasticmq")) {
                SQSRestServer elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1")
                        .withDynamicPort()
                        .start();
                server = elasticMq::stopAndWait;
                endpoint = URI.create("http://127.0.0.1:"
                        + elasticMq.waitUntilStarted().localAddress().getPort());
            } else if (kind.equals("memory")) {
                LocalSqsServer memory = LocalSqsServer.start("us-east-1");
                server = memory;
                endpoint = memory.endpoint();
            } else {
                throw new IllegalArgumentException("bench.queue is memory or elasticmq, not " + kind);
            }
            SqsSettings probe = new SqsSettings(
                    "unused", Optional.of(endpoint), "us-east-1", Duration.ofSeconds(1), Duration.ofSeconds(10), true);
            try (SqsClient sqs = SqsConfirmationQueue.client(probe)) {
                String url = sqs.createQueue(b -> b.queueName(
                                "tput-" + UUID.randomUUID().toString().substring(0, 8)))
                        .queueUrl();
                SqsSettings settings = new SqsSettings(
                        url, Optional.of(endpoint), "us-east-1", Duration.ofSeconds(1), Duration.ofSeconds(10), true);
                try (SqsConfirmationQueue queue = SqsConfirmationQueue.create(
                        settings, Breakers.sqs(BreakerSettings.ofDefaults(Duration.ofSeconds(10))), Telemetry.noop())) {
                    StackWorkloads.Handler handler = new StackWorkloads.Handler(
                            stores,
                            redis,
                            queue,
                            kind.equals("memory") ? "in-memory SQS" : "ElasticMQ",
                            () -> Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(url)
                                            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                                    .attributes()
                                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)));
                    // the queue server and the SDK are as cold as the first request of a new JVM: one extra warm-up
                    // round
                    runner.measure(handler, threads, STOCK, warmup, Duration.ofMillis(500));
                    sqs.purgeQueue(b -> b.queueUrl(url));
                    return runner.measure(handler, threads, STOCK, warmup, window);
                }
            }
        } catch (Exception e) {
            report.line("  ReserveHandler (" + kind + "): not measured: " + e);
            return null;
        } finally {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    report.line("  the queue server did not stop cleanly: " + e);
                }
            }
        }
    }

    private static Path defaultOut() {
        try {
            Path jar = Path.of(ThroughputBench.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.getParent().resolve("throughput");
        } catch (Exception e) {
            return Path.of("target", "throughput");
        }
    }

    private static String redisVersion(Jedis info) {
        for (String line : info.info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length());
            }
        }
        return "?";
    }

    private static String postgresVersion(Stores stores) {
        try (Connection c = stores.jdbc();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1);
        } catch (Exception e) {
            return "PostgreSQL ?";
        }
    }
}

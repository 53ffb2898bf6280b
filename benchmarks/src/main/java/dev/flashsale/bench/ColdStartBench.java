package dev.flashsale.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cold-start benchmark. For every function in {@link BenchFunction#ALL}: fresh JVMs with the Lambda runtime's
 * flags on the built layer and function zip, priming on and off, measuring JVM start → init done, the first and
 * tenth invocation, classes loaded; then a simulated SnapStart checkpoint/restore with the old connections killed
 * server-side, and the first invocation after it. Prints tables and checks the target (reserve: primed first
 * invocation ≤ 3 × tenth); exits 1 when the target is missed or an invocation fails.
 *
 * <p>System properties: {@code bench.runs} (JVMs per function and priming mode, default 5), {@code bench.restoreRuns}
 * (default 3), {@code bench.functions} (comma-separated names, default all), {@code bench.root} (repository root),
 * {@code bench.env} (telemetry variables for the children, see {@link TelemetryEnv}).
 * Environment: {@code REDIS_URL} (default redis://127.0.0.1:6379), {@code DATABASE_URL} (default
 * jdbc:postgresql://127.0.0.1:5432/flashsale_bench, created and migrated if missing; user postgres).
 */
public final class ColdStartBench {

    static final int INVOCATIONS = 10;
    static final double TARGET_RATIO = 3.0;

    private ColdStartBench() {}

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("bench.runs", 5);
        int restoreRuns = Integer.getInteger("bench.restoreRuns", 3);
        List<BenchFunction> functions = selected(System.getProperty("bench.functions"));
        Layout layout = Layout.locate();
        layout.prepare(functions);
        long started = System.nanoTime();
        System.out.printf(
                Locale.ROOT,
                "cold-start benchmark: %d JVMs per function and priming mode, %d restores; java %s (%s), %d CPUs%n",
                runs,
                restoreRuns,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("child JVM flags: " + String.join(" ", ChildJvm.JVM_FLAGS));
        TelemetryEnv telemetry = new TelemetryEnv(System.getProperty("bench.env"));
        System.out.println("child telemetry: "
                + (telemetry.variables().isEmpty() ? "none (OTEL_* unset)" : telemetry.variables()));
        System.out.println("child logs: " + layout.work.resolve("logs"));

        Map<BenchFunction, Rows> results = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (BenchData data = new BenchData(layout.root.resolve("events"))) {
            System.out.println("seeded sale " + data.sale.id() + " in Redis " + data.redisUrl + " and "
                    + data.databaseUrl + "; ElasticMQ at " + data.sqsEndpoint);
            for (BenchFunction f : functions) {
                Rows rows = new Rows(Files.size(layout.functionZip(f)), Files.size(layout.layerZip));
                // alternate modes so that machine noise spreads over both
                for (int i = 0; i < runs; i++) {
                    for (boolean priming : new boolean[] {true, false}) {
                        ChildJvm.Result r = ChildJvm.run(
                                layout,
                                data,
                                f,
                                priming,
                                false,
                                f.events().build(data, INVOCATIONS),
                                i,
                                telemetry.variables());
                        check(f, r, failures);
                        (priming ? rows.primed : rows.unprimed).add(r);
                    }
                }
                for (int i = 0; i < restoreRuns; i++) {
                    ChildJvm.Result r = ChildJvm.run(
                            layout, data, f, true, true, f.events().build(data, 1), i, telemetry.variables());
                    check(f, r, failures);
                    rows.restored.add(r);
                }
                results.put(f, rows);
                System.out.printf(Locale.ROOT, "  %s done%n", f.name());
            }
        }
        telemetry.close();
        boolean targetMet = Report.print(results, runs);
        if (telemetry.bytesReceived() > 0) {
            System.out.printf(
                    Locale.ROOT, "OTLP bytes received by the local collector: %d%n", telemetry.bytesReceived());
        }
        System.out.printf(Locale.ROOT, "%nwall time %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (!failures.isEmpty()) {
            System.out.println("FAILED invocations:");
            failures.forEach(f -> System.out.println("  " + f));
        }
        System.exit(targetMet && failures.isEmpty() ? 0 : 1);
    }

    private static void check(BenchFunction f, ChildJvm.Result r, List<String> failures) {
        String response = r.values().getOrDefault("response", "");
        if (!f.success().test(response)) {
            failures.add(f.name() + ": " + response + " (log " + r.log() + ")");
        }
    }

    private static List<BenchFunction> selected(String names) throws IOException {
        if (names == null || names.isBlank()) {
            return BenchFunction.ALL;
        }
        List<String> wanted = Arrays.asList(names.split(","));
        List<BenchFunction> out = BenchFunction.ALL.stream()
                .filter(f -> wanted.contains(f.name()))
                .toList();
        if (out.isEmpty()) {
            throw new IOException("no function named in bench.functions=" + names);
        }
        return out;
    }

    /** Every child result of one function. */
    static final class Rows {
        final long functionZipBytes;
        final long layerZipBytes;
        final List<ChildJvm.Result> primed = new ArrayList<>();
        final List<ChildJvm.Result> unprimed = new ArrayList<>();
        final List<ChildJvm.Result> restored = new ArrayList<>();

        Rows(long functionZipBytes, long layerZipBytes) {
            this.functionZipBytes = functionZipBytes;
            this.layerZipBytes = layerZipBytes;
        }
    }
}

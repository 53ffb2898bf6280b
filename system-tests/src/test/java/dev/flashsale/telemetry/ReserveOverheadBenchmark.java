package dev.flashsale.telemetry;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.log.JsonLog;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestTelemetry;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * Not a test: prints the latency of sequential reserve invocations (the real invoker, Redis and ElasticMQ) with
 * telemetry off and with each exporter the template's parameters choose (EMF metrics; spans to a collector or to X-Ray,
 * here a local endpoint), the flush before each return included. Figures go to docs/observability.md.
 *
 * <pre>java -cp ... dev.flashsale.telemetry.ReserveOverheadBenchmark [invocations=2000] [rounds=3]</pre>
 */
public final class ReserveOverheadBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JsonLog.threshold(Level.WARN); // the summary lines would measure stdout, not telemetry

        LoopbackReceiver collector = LoopbackReceiver.start();

        String endpoint = collector.url().toString();
        // xray signs with the function's credentials: sample ones here (the local endpoint does not check them)
        System.setProperty("aws.accessKeyId", "AKIDBENCHMARK");
        System.setProperty("aws.secretAccessKey", "benchmark-secret");
        Map<String, java.util.function.Supplier<Telemetry>> modes = new LinkedHashMap<>();
        modes.put("off (none)", Telemetry::noop);
        modes.put(
                "metrics emf (stdout), exported every 10 s (template default)",
                () -> telemetry(Map.of("OTEL_METRICS_EXPORTER", "emf")));
        modes.put(
                "metrics emf, exported at every invocation",
                () -> telemetry(Map.of("OTEL_METRICS_EXPORTER", "emf", "OTEL_METRIC_EXPORT_INTERVAL", "0")));
        modes.put(
                "emf + traces otlp to a local collector (Traces=adot)",
                () -> telemetry(Map.of(
                        "OTEL_METRICS_EXPORTER",
                        "emf",
                        "OTEL_TRACES_EXPORTER",
                        "otlp",
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        endpoint)));
        modes.put(
                "emf + traces xray: SigV4-signed OTLP, local endpoint (Traces=xray)",
                () -> telemetry(Map.of(
                        "OTEL_METRICS_EXPORTER",
                        "emf",
                        "OTEL_TRACES_EXPORTER",
                        "xray",
                        "AWS_REGION",
                        "us-east-1",
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                        endpoint + "/v1/traces")));
        // EMF goes to stdout, as in Lambda: to /dev/null here (a real write per document), the figures to the console
        PrintStream results = System.out;
        System.setOut(new PrintStream(new FileOutputStream("/dev/null"), true));

        // The modes take turns invocation by invocation, so that the load of a shared machine falls on all alike.
        results.printf(
                "%d sequential reserve invocations per mode and round (modes interleaved), after %d warm-up%n",
                n, n / 4);
        String[] names = modes.keySet().toArray(String[]::new);
        try (RedisConnection redis = TestRedis.connect()) {
            for (int round = 1; round <= rounds; round++) {
                Telemetry[] telemetry = new Telemetry[names.length];
                ReserveFixture[] fixtures = new ReserveFixture[names.length];
                Sale[] sales = new Sale[names.length];
                long[][] nanos = new long[names.length][n];
                try {
                    for (int m = 0; m < names.length; m++) {
                        telemetry[m] = modes.get(names[m]).get();
                        fixtures[m] = ReserveFixture.withTelemetry(telemetry[m], Map.of());
                        sales[m] = TestSales.seed(redis, TestSales.live(10 * n, 1, 1));
                    }
                    for (int i = -n / 4; i < n; i++) {
                        for (int m = 0; m < names.length; m++) {
                            long t0 = System.nanoTime();
                            int status = fixtures[m]
                                    .reserve(sales[m].id(), "b" + i, "k" + i, 1)
                                    .getStatusCode();
                            long took = System.nanoTime() - t0;
                            if (status != 201) {
                                throw new IllegalStateException("reserve answered " + status);
                            }
                            if (i >= 0) {
                                nanos[m][i] = took;
                            }
                        }
                    }
                    for (int m = 0; m < names.length; m++) {
                        long[] sorted = nanos[m].clone();
                        Arrays.sort(sorted);
                        results.printf(
                                "round %d  %-66s p50 %6.3f ms  p99 %6.3f ms  mean %6.3f ms%n",
                                round,
                                names[m],
                                sorted[n / 2] / 1e6,
                                sorted[(int) (n * 0.99)] / 1e6,
                                Arrays.stream(sorted).average().orElse(0) / 1e6);
                    }
                } finally {
                    for (int m = 0; m < names.length; m++) {
                        if (fixtures[m] != null) {
                            fixtures[m].close();
                        }
                        if (telemetry[m] != null) {
                            telemetry[m].close();
                        }
                    }
                }
            }
        } finally {
            collector.close();
        }
        results.printf("OTLP bytes received by the local collector: %d%n", collector.bytes());
        System.exit(0);
    }

    private static Telemetry telemetry(Map<String, String> env) {
        return TestTelemetry.from(env, "reserve");
    }
}

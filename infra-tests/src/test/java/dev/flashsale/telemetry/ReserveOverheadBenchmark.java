package dev.flashsale.telemetry;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

import dev.flashsale.config.Config;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.log.JsonLog;
import dev.flashsale.testing.ReserveFixture;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.slf4j.event.Level;

/**
 * Not a test: prints the latency of sequential reserve invocations (the real invoker, Redis and ElasticMQ) with
 * telemetry off and on, the flush before each return included. Figures go to docs/observability.md.
 *
 * <pre>java -cp ... dev.flashsale.telemetry.ReserveOverheadBenchmark [invocations=2000] [rounds=3]</pre>
 */
public final class ReserveOverheadBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JsonLog.threshold(Level.WARN);  // the summary lines would measure stdout, not telemetry

        AtomicLong collected = new AtomicLong();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            collected.addAndGet(exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();

        Map<String, java.util.function.Supplier<Telemetry>> modes = new LinkedHashMap<>();
        modes.put("off (none)", Telemetry::noop);
        modes.put("on, in-memory exporter, batch processor + flush per invocation",
                () -> Telemetry.create("reserve", BatchSpanProcessor.builder(InMemorySpanExporter.create()).build(), InMemoryMetricReader.create()));
        modes.put("on, OTLP/HTTP to a local collector, flush per invocation", () -> Telemetry.fromConfig(Config.of(Map.of(
                "OTEL_TRACES_EXPORTER", "otlp", "OTEL_METRICS_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort())), "reserve"));

        // The modes take turns invocation by invocation, so that the load of a shared machine falls on all alike.
        System.out.printf("%d sequential reserve invocations per mode and round (modes interleaved), after %d warm-up%n", n, n / 4);
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
                            int status = fixtures[m].reserve(sales[m].id(), "b" + i, "k" + i, 1).getStatusCode();
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
                        System.out.printf("round %d  %-66s p50 %6.3f ms  p99 %6.3f ms  mean %6.3f ms%n", round, names[m],
                                sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, Arrays.stream(sorted).average().orElse(0) / 1e6);
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
            collector.stop(0);
        }
        System.out.printf("OTLP bytes received by the local collector: %d%n", collected.get());
        System.exit(0);
    }
}

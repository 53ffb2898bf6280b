package dev.flashsale.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * Telemetry settings for the children, to measure what an exporter costs a cold start: {@code -Dbench.env} is a
 * comma-separated list of {@code NAME=VALUE} added to every child's environment, where {@code {collector}} stands for
 * a local OTLP/HTTP receiver (a JDK {@code HttpServer} answering 200 to anything, as a collector on the same host
 * would), e.g. {@code -Dbench.env=OTEL_METRICS_EXPORTER=emf,OTEL_TRACES_EXPORTER=otlp,OTEL_EXPORTER_OTLP_ENDPOINT={collector}}.
 */
final class TelemetryEnv implements AutoCloseable {

    private final Map<String, String> variables = new LinkedHashMap<>();
    private final HttpServer collector;
    private final AtomicLong received = new AtomicLong();

    TelemetryEnv(String spec) throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            received.addAndGet(exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String url = "http://127.0.0.1:" + collector.getAddress().getPort();
        if (spec != null && !spec.isBlank()) {
            for (String kv : spec.split(",")) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("bench.env needs NAME=VALUE pairs, was " + kv);
                }
                variables.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim().replace("{collector}", url));
            }
        }
    }

    Map<String, String> variables() {
        return variables;
    }

    long bytesReceived() {
        return received.get();
    }

    @Override
    public void close() {
        collector.stop(0);
    }
}

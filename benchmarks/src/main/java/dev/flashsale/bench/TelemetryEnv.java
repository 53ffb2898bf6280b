package dev.flashsale.bench;

import dev.flashsale.telemetry.LoopbackReceiver;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Telemetry settings for the children, to measure what an exporter costs a cold start: {@code -Dbench.env} is a
 * comma-separated list of {@code NAME=VALUE} added to every child's environment, where {@code {collector}} stands for
 * a local OTLP/HTTP receiver ({@link LoopbackReceiver}, as a collector on the same host would), e.g. {@code -Dbench.env=OTEL_METRICS_EXPORTER=emf,OTEL_TRACES_EXPORTER=otlp,OTEL_EXPORTER_OTLP_ENDPOINT={collector}}.
 */
final class TelemetryEnv implements AutoCloseable {

    private final Map<String, String> variables = new LinkedHashMap<>();
    private final LoopbackReceiver collector = LoopbackReceiver.start();

    TelemetryEnv(String spec) {
        String url = collector.url().toString();
        if (spec != null && !spec.isBlank()) {
            for (String kv : spec.split(",")) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("bench.env needs NAME=VALUE pairs, was " + kv);
                }
                variables.put(
                        kv.substring(0, eq).trim(), kv.substring(eq + 1).trim().replace("{collector}", url));
            }
        }
    }

    Map<String, String> variables() {
        return variables;
    }

    long bytesReceived() {
        return collector.bytes();
    }

    @Override
    public void close() {
        collector.close();
    }
}

package dev.flashsale.telemetry;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How telemetry leaves the function. Standard OpenTelemetry variable names, read through {@link Config}; only the
 * values listed here are understood (there is no autoconfiguration).
 *
 * @param traces         {@code OTEL_TRACES_EXPORTER}: {@code none} (default), {@code logging} or {@code otlp}
 * @param metrics        {@code OTEL_METRICS_EXPORTER}: {@code none} (default), {@code logging} or {@code otlp}
 * @param endpoint       {@code OTEL_EXPORTER_OTLP_ENDPOINT}: base URL of an OTLP/HTTP receiver; default
 *                       {@code http://localhost:4318} (the ADOT Lambda layer's collector); {@code /v1/traces} and
 *                       {@code /v1/metrics} are appended
 * @param exportTimeout  {@code OTEL_EXPORTER_OTLP_TIMEOUT}: longest wait for one export, and so for the flush at the
 *                       end of an invocation; default 1s (10ms..30s)
 * @param metricInterval {@code OTEL_METRIC_EXPORT_INTERVAL}: metrics are exported at the end of an invocation when at
 *                       least this long has passed since the last export (and in the background at this period while
 *                       the environment is thawed); default 10s (0 = at the end of every invocation)
 * @param serviceName    {@code OTEL_SERVICE_NAME}; default {@code AWS_LAMBDA_FUNCTION_NAME}, else the function's
 *                       short name given by its Init
 */
public record TelemetrySettings(Exporter traces, Exporter metrics, URI endpoint, Duration exportTimeout,
                                Duration metricInterval, String serviceName) {

    public enum Exporter {
        NONE, LOGGING, OTLP;

        static Exporter parse(String name, String raw) {
            return switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "logging", "console" -> LOGGING;
                case "otlp" -> OTLP;
                default -> throw new ConfigException(name + " must be none, logging or otlp, was '" + raw + "'");
            };
        }
    }

    public static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4318");

    /** Everything off: the no-op pipeline. */
    public static TelemetrySettings off(String serviceName) {
        return new TelemetrySettings(Exporter.NONE, Exporter.NONE, DEFAULT_ENDPOINT, Duration.ofSeconds(1), Duration.ofSeconds(10), serviceName);
    }

    public static TelemetrySettings from(Config config, String defaultServiceName) {
        String endpoint = config.string("OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_ENDPOINT.toString());
        URI uri;
        try {
            uri = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("OTEL_EXPORTER_OTLP_ENDPOINT must be a URL like http://localhost:4318, was '" + endpoint + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new ConfigException("OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL, was '" + endpoint + "'");
        }
        return new TelemetrySettings(
                Exporter.parse("OTEL_TRACES_EXPORTER", config.string("OTEL_TRACES_EXPORTER", "none")),
                Exporter.parse("OTEL_METRICS_EXPORTER", config.string("OTEL_METRICS_EXPORTER", "none")),
                uri,
                config.duration("OTEL_EXPORTER_OTLP_TIMEOUT", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(30)),
                config.duration("OTEL_METRIC_EXPORT_INTERVAL", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)),
                config.string("OTEL_SERVICE_NAME", config.string("AWS_LAMBDA_FUNCTION_NAME", defaultServiceName)));
    }

    public boolean enabled() {
        return traces != Exporter.NONE || metrics != Exporter.NONE;
    }
}

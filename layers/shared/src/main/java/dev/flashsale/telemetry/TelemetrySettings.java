package dev.flashsale.telemetry;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How telemetry leaves the function. Standard OpenTelemetry variable names where there are some, read through
 * {@link Config}; only the values listed here are understood (there is no autoconfiguration).
 *
 * @param traces         {@code OTEL_TRACES_EXPORTER}: {@code none} (default), {@code logging}, {@code otlp} (to a
 *                       collector, e.g. the ADOT Lambda layer's) or {@code xray} (OTLP straight to X-Ray's endpoint,
 *                       signed with the function's credentials)
 * @param metrics        {@code OTEL_METRICS_EXPORTER}: {@code none} (default), {@code logging}, {@code otlp} or
 *                       {@code emf} (CloudWatch embedded metric format on stdout: metrics without a collector)
 * @param endpoint       {@code OTEL_EXPORTER_OTLP_ENDPOINT}: base URL of an OTLP/HTTP receiver; default
 *                       {@code http://localhost:4318} (the ADOT Lambda layer's collector); {@code /v1/traces} and
 *                       {@code /v1/metrics} are appended
 * @param tracesEndpoint {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}: the full URL spans are posted to; default the
 *                       endpoint + {@code /v1/traces}, or for {@code xray} {@code https://xray.<AWS_REGION>.amazonaws.com/v1/traces}
 * @param exportTimeout  {@code OTEL_EXPORTER_OTLP_TIMEOUT}: longest wait for one export, and so for the flush at the
 *                       end of an invocation; default 1s (10ms..30s)
 * @param metricInterval {@code OTEL_METRIC_EXPORT_INTERVAL}: metrics are exported at the end of an invocation when at
 *                       least this long has passed since the last export (and in the background at this period while
 *                       the environment is thawed); default 10s (0 = at the end of every invocation)
 * @param serviceName    {@code OTEL_SERVICE_NAME}; default {@code AWS_LAMBDA_FUNCTION_NAME}, else the function's
 *                       short name given by its Init
 * @param namespace      {@code METRICS_NAMESPACE}: the CloudWatch namespace of {@code emf} metrics; default {@code flashsale}
 * @param region         {@code AWS_REGION} (set by Lambda): where {@code xray} sends; default {@code us-east-1}
 */
public record TelemetrySettings(
        Exporter traces,
        Exporter metrics,
        URI endpoint,
        URI tracesEndpoint,
        Duration exportTimeout,
        Duration metricInterval,
        String serviceName,
        String namespace,
        String region) {

    public enum Exporter {
        NONE,
        LOGGING,
        OTLP,
        EMF,
        XRAY;

        static Exporter parse(String name, String raw, Set<Exporter> allowed) {
            Exporter e = switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "logging", "console" -> LOGGING;
                case "otlp" -> OTLP;
                case "emf" -> EMF;
                case "xray" -> XRAY;
                default -> null;
            };
            if (e == null || !allowed.contains(e)) {
                throw new ConfigException(name + " must be "
                        + allowed.stream()
                                .map(x -> x.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", ")) + "; was '" + raw + "'");
            }
            return e;
        }
    }

    public static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4318");
    public static final Set<String> VARIABLES = Variables.of(
            "OTEL_TRACES_EXPORTER",
            "OTEL_METRICS_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
            "OTEL_METRIC_EXPORT_INTERVAL",
            "OTEL_SERVICE_NAME",
            "AWS_LAMBDA_FUNCTION_NAME",
            "METRICS_NAMESPACE",
            "AWS_REGION");
    public static final String DEFAULT_NAMESPACE = "flashsale";
    static final Set<Exporter> TRACE_EXPORTERS =
            EnumSet.of(Exporter.NONE, Exporter.LOGGING, Exporter.OTLP, Exporter.XRAY);
    static final Set<Exporter> METRIC_EXPORTERS =
            EnumSet.of(Exporter.NONE, Exporter.LOGGING, Exporter.OTLP, Exporter.EMF);

    /** Everything off: the no-op pipeline. */
    public static TelemetrySettings off(String serviceName) {
        return new TelemetrySettings(
                Exporter.NONE,
                Exporter.NONE,
                DEFAULT_ENDPOINT,
                DEFAULT_ENDPOINT.resolve("/v1/traces"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                serviceName,
                DEFAULT_NAMESPACE,
                "us-east-1");
    }

    public static TelemetrySettings from(Config config, String defaultServiceName) {
        URI endpoint = url(config, "OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_ENDPOINT.toString());
        Exporter traces =
                Exporter.parse("OTEL_TRACES_EXPORTER", config.string("OTEL_TRACES_EXPORTER", "none"), TRACE_EXPORTERS);
        String region = config.string("AWS_REGION", "us-east-1");
        String defaultTraces = traces == Exporter.XRAY
                ? "https://xray." + region + ".amazonaws.com/v1/traces"
                : endpoint + "/v1/traces";
        String namespace = config.string("METRICS_NAMESPACE", DEFAULT_NAMESPACE);
        if (namespace.isBlank() || namespace.length() > 255) {
            throw new ConfigException("METRICS_NAMESPACE must be 1 to 255 characters, was '" + namespace + "'");
        }
        return new TelemetrySettings(
                traces,
                Exporter.parse(
                        "OTEL_METRICS_EXPORTER", config.string("OTEL_METRICS_EXPORTER", "none"), METRIC_EXPORTERS),
                endpoint,
                url(config, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", defaultTraces),
                config.duration(
                        "OTEL_EXPORTER_OTLP_TIMEOUT",
                        Duration.ofSeconds(1),
                        Duration.ofMillis(10),
                        Duration.ofSeconds(30)),
                config.duration(
                        "OTEL_METRIC_EXPORT_INTERVAL", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)),
                config.string("OTEL_SERVICE_NAME", config.string("AWS_LAMBDA_FUNCTION_NAME", defaultServiceName)),
                namespace,
                region);
    }

    private static URI url(Config config, String name, String fallback) {
        String raw = config.string(name, fallback);
        URI uri;
        try {
            uri = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " must be a URL like http://localhost:4318, was '" + raw + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new ConfigException(name + " must be an http or https URL, was '" + raw + "'");
        }
        return uri;
    }

    public boolean enabled() {
        return traces != Exporter.NONE || metrics != Exporter.NONE;
    }
}

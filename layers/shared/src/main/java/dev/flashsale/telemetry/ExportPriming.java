package dev.flashsale.telemetry;

import dev.flashsale.telemetry.emf.EmfMetricExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Primes the export path at init: one sampled span, a counter, a gauge and a histogram go through exporters of the
 * configured kinds, in a pipeline of their own that is shut down afterwards; OTLP is posted (signed, for xray) to a
 * throwaway receiver on the loopback interface, EMF documents go nowhere. Nothing reaches the real collector, and
 * nothing is left to flush. Without it the first export after a SnapStart restore loads the marshalers, the JDK's HTTP
 * client and the signer: measured +60 to +180 ms on a first reserve or confirm with traces on (docs/observability.md).
 */
final class ExportPriming {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExportPriming.class);
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    /** Signs with sample credentials: the function's own are not resolved before a SnapStart snapshot. */
    private static final AwsCredentialsProvider SAMPLE =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("PRIMING", "priming"));

    private ExportPriming() {}

    static Runnable of(TelemetrySettings s, Resource resource) {
        boolean otlp = s.traces() == TelemetrySettings.Exporter.OTLP
                || s.traces() == TelemetrySettings.Exporter.XRAY
                || s.metrics() == TelemetrySettings.Exporter.OTLP;
        if (!otlp && s.metrics() != TelemetrySettings.Exporter.EMF) {
            return () -> {};
        }
        return () -> {
            try {
                run(s, resource, otlp);
            } catch (RuntimeException | LinkageError e) {
                // priming is an optimisation: a runtime without the JDK's HTTP server (jdk.httpserver) only loses it
                LOG.warn("telemetry export path not primed: {}", e.toString());
            }
        };
    }

    private static void run(TelemetrySettings s, Resource resource, boolean otlp) {
        LoopbackReceiver receiver = otlp ? LoopbackReceiver.start() : null;
        List<JdkHttpSender> senders = new ArrayList<>();
        try {
            TelemetrySettings local = receiver == null ? s : toLoopback(s, receiver);
            JdkHttpSender.Signer signer = s.traces() == TelemetrySettings.Exporter.XRAY
                    ? new XRaySigner(SAMPLE, s.region())
                    : JdkHttpSender.Signer.NONE;
            SpanExporter spans = switch (s.traces()) {
                case OTLP, XRAY -> Telemetry.otlpSpans(local, JdkHttpSender.provider(senders, signer));
                default -> null;
            };
            MetricExporter metrics = switch (s.metrics()) {
                case OTLP -> Telemetry.otlpMetrics(local, JdkHttpSender.provider(senders, JdkHttpSender.Signer.NONE));
                case EMF -> new EmfMetricExporter(s.namespace(), line -> {});
                default -> null;
            };
            exportOne(spans, metrics, resource);
        } finally {
            senders.forEach(JdkHttpSender::reset);
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    private static void exportOne(SpanExporter spans, MetricExporter metrics, Resource resource) {
        if (spans != null) {
            try (SdkTracerProvider tracer = SdkTracerProvider.builder()
                    .setResource(resource)
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build()) {
                tracer.get(Telemetry.SCOPE)
                        .spanBuilder("prime")
                        .setAttribute("flashsale.sale_id", "__prime__")
                        .startSpan()
                        .end();
                tracer.forceFlush().join(5, TimeUnit.SECONDS);
            }
        }
        if (metrics != null) {
            try (SdkMeterProvider meters = SdkMeterProvider.builder()
                    .setResource(resource)
                    .registerMetricReader(PeriodicMetricReader.builder(metrics).build())
                    .build()) {
                Meter m = meters.get(Telemetry.SCOPE);
                Attributes a = Attributes.of(OUTCOME, "prime");
                m.counterBuilder("prime.count").build().add(1, a);
                m.gaugeBuilder("prime.gauge").ofLongs().build().set(1, a);
                m.histogramBuilder("prime.duration").setUnit("ms").build().record(1.5, a);
                meters.forceFlush().join(5, TimeUnit.SECONDS);
            }
        }
    }

    private static TelemetrySettings toLoopback(TelemetrySettings s, LoopbackReceiver receiver) {
        URI base = receiver.url();
        return new TelemetrySettings(
                s.traces(),
                s.metrics(),
                base,
                base.resolve("/v1/traces"),
                s.exportTimeout(),
                s.metricInterval(),
                s.serviceName(),
                s.namespace(),
                s.region());
    }
}

package dev.flashsale.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.log.JsonLog;
import dev.flashsale.testing.TestTelemetry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TelemetryTest {

    private static final dev.flashsale.init.InvocationContext CONTEXT =
            new dev.flashsale.init.InvocationContext("test", "us-east-1", java.time.Duration.ofMinutes(15));

    @Test
    void otlp_exportsSpansAndMetricsOverTheJdkHttpClient_beforeTheFlushReturns() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " " + body.length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try (Telemetry t = TestTelemetry.from(
                Map.of(
                        "OTEL_TRACES_EXPORTER",
                        "otlp",
                        "OTEL_METRICS_EXPORTER",
                        "otlp",
                        "OTEL_METRIC_EXPORT_INTERVAL",
                        "0",
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        "http://127.0.0.1:" + collector.getAddress().getPort() + "/"),
                "reserve")) {
            assertThat(t.tracing()).isTrue();
            t.scheduled(
                    "a run",
                    CONTEXT,
                    "flashsale.test.runs",
                    inv -> t.span("child", SpanKind.CLIENT, Attributes.empty(), () -> 1));

            // flushed before scheduled() returned: nothing to wait for
            assertThat(received).anyMatch(r -> r.startsWith("/v1/traces application/x-protobuf "));
            assertThat(received).anyMatch(r -> r.startsWith("/v1/metrics application/x-protobuf "));
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void aUnitRunWhilePriming_isCounted_butNotLoggedAsAnInvocation() throws Exception {
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        Telemetry t = Telemetry.create("release", null, metrics);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable ignored = JsonLog.tee(lines::add)) {
            try (var priming = JsonLog.priming()) {
                t.scheduled("release run", CONTEXT, "flashsale.release.runs", inv -> inv.outcome("done"));
            }
            t.scheduled("release run", CONTEXT, "flashsale.release.runs", inv -> inv.outcome("done"));
        }
        assertThat(lines)
                .singleElement()
                .asString()
                .contains("\"event\":\"invocation\"")
                .doesNotContain(JsonLog.PRIMING);
    }

    @Test
    void noneByDefault_isTheNoopPipeline() {
        Telemetry t = TestTelemetry.from(Map.of(), "reserve");
        assertThat(t).isSameAs(Telemetry.noop());
        assertThat(t.tracing()).isFalse();
        assertThat(t.span("x", SpanKind.CLIENT, Attributes.empty(), () -> 42)).isEqualTo(42);
    }

    @Test
    void settings_refuseUnknownExportersAndBadEndpoints_byName() {
        assertThatThrownBy(() -> TelemetrySettings.from(Config.of(Map.of("OTEL_TRACES_EXPORTER", "jaeger")), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OTEL_TRACES_EXPORTER must be none, logging, otlp, xray");
        assertThatThrownBy(() ->
                        TelemetrySettings.from(Config.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
        TelemetrySettings s =
                TelemetrySettings.from(Config.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "flashsale-Reserve-1")), "reserve");
        assertThat(s.serviceName()).isEqualTo("flashsale-Reserve-1");
        assertThat(TelemetrySettings.from(Config.of(Map.of("OTEL_SERVICE_NAME", "svc")), "reserve")
                        .serviceName())
                .isEqualTo("svc");
    }

    @Test
    void breakerTransitions_areCounted() {
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        Telemetry t = Telemetry.create("reserve", null, metrics);
        CircuitBreaker breaker =
                Breakers.create("redis", BreakerSettings.ofDefaults(Duration.ofMillis(200)), e -> true);
        t.watch(breaker);

        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        breaker.transitionToClosedState();

        List<LongPointData> points = metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals("flashsale.breaker.transitions"))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .toList();
        assertThat(points)
                .extracting(p -> p.getAttributes().get(AttributeKey.stringKey("from")) + "->"
                        + p.getAttributes().get(AttributeKey.stringKey("to")) + "=" + p.getValue())
                .containsExactlyInAnyOrder("CLOSED->OPEN=1", "OPEN->HALF_OPEN=1", "HALF_OPEN->CLOSED=1");
    }

    @Test
    void counterHelper_isWhatOtherModulesCall() {
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        Telemetry t = Telemetry.create("prewarm", null, metrics);
        t.counter("flashsale.reconciliation.corrections").add(3, Attributes.of(AttributeKey.stringKey("sale"), "s1"));
        t.count("flashsale.reconciliation.corrections", "stock_raised", 2);
        assertThat(metrics.collectAllMetrics())
                .filteredOn(m -> m.getName().equals("flashsale.reconciliation.corrections"))
                .flatExtracting(m -> m.getLongSumData().getPoints())
                .extracting(LongPointData::getValue)
                .containsExactlyInAnyOrder(3L, 2L);
    }

    @Test
    void xrayHeader_isLinkedNotParented() {
        SpanContext x = XRay.spanContext("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
                .orElseThrow();
        assertThat(x.getTraceId()).isEqualTo("5759e988bd862e3fe1be46a994272793");
        assertThat(x.getSpanId()).isEqualTo("53995c3f42cd8ad8");
        assertThat(XRay.spanContext("Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8"))
                .isEmpty();
        assertThat(XRay.spanContext("garbage")).isEmpty();

        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Telemetry t = Telemetry.create("release", SimpleSpanProcessor.create(spans), null);
        System.setProperty(
                XRay.SYSTEM_PROPERTY, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0");
        try {
            t.scheduled("release run", CONTEXT, "flashsale.release.runs", inv -> null);
        } finally {
            System.clearProperty(XRay.SYSTEM_PROPERTY);
        }
        var span = spans.getFinishedSpanItems().get(0);
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getTraceId()).isNotEqualTo(x.getTraceId());
        assertThat(span.getLinks())
                .extracting(l -> l.getSpanContext().getTraceId())
                .containsExactly(x.getTraceId());
        assertThat(span.getAttributes().get(Invocation.XRAY_HEADER)).startsWith("Root=1-5759e988");
    }

    @Test
    void outcomes_mapToAFewMetricValues() {
        assertThat(OutcomeCategory.of("held")).isEqualTo("accepted");
        assertThat(OutcomeCategory.of("replayed")).isEqualTo("replayed");
        assertThat(OutcomeCategory.of("sold-out")).isEqualTo("sold_out");
        assertThat(OutcomeCategory.of("rate-limited")).isEqualTo("rate_limited");
        assertThat(OutcomeCategory.of("purchase-limit-exceeded")).isEqualTo("limit_exceeded");
        assertThat(OutcomeCategory.of("idempotency-key-reused")).isEqualTo("invalid");
        assertThat(OutcomeCategory.of("service-unavailable")).isEqualTo("unavailable");
        assertThat(OutcomeCategory.of("sale-not-found")).isEqualTo("not_found");
        assertThat(OutcomeCategory.of("ticket-invalid")).isEqualTo("not_admitted");
        assertThat(OutcomeCategory.of("invalid-signature")).isEqualTo("unauthenticated");
        assertThat(OutcomeCategory.of("stale-signature")).isEqualTo("unauthenticated");
        assertThat(OutcomeCategory.of("order-not-found")).isEqualTo("not_found");
        assertThat(OutcomeCategory.of("amount-mismatch")).isEqualTo("invalid");
        assertThat(OutcomeCategory.of("event-id-reused")).isEqualTo("invalid");
        assertThat(OutcomeCategory.of("order-not-cancellable")).isEqualTo("order_not_cancellable");
        assertThat(OutcomeCategory.of("admission-required")).isEqualTo("not_admitted");
        assertThat(OutcomeCategory.of("queue-not-open")).isEqualTo("closed");
        assertThat(OutcomeCategory.of("already-confirmed")).isEqualTo("already_confirmed");
        assertThat(LambdaInvocations.problemSlug("{\"type\":\"urn:flashsale:problem:sold-out\",\"status\":409}", 409))
                .isEqualTo("sold-out");
        assertThat(LambdaInvocations.problemSlug("{\"message\":\"x\"}", 502)).isEqualTo("http-502");
    }

    @Test
    void spanIds_comeFromANewSeedAfterARestore() {
        ReseedableIdGenerator ids = new ReseedableIdGenerator();
        String before = ids.generateTraceId();
        ids.reseed();
        assertThat(ids.generateTraceId()).matches("[0-9a-f]{32}").isNotEqualTo(before);
        assertThat(ids.generateSpanId()).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
    }
}

package dev.flashsale.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.telemetry.emf.EmfSpec;
import dev.flashsale.testing.TestTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The exporters a template parameter chooses: EMF metrics on stdout, spans signed for X-Ray's OTLP endpoint. */
class TelemetryExportersTest {

    private static final dev.flashsale.init.InvocationContext CONTEXT =
            new dev.flashsale.init.InvocationContext("test", "us-east-1", java.time.Duration.ofMinutes(15));

    @Test
    void emf_writesTheRunsMetricsToStdout_inTheConfiguredNamespace_beforeTheRunReturns() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try (Telemetry t = TestTelemetry.from(
                Map.of("OTEL_METRICS_EXPORTER", "emf", "METRICS_NAMESPACE", "flashsale/my-stack"), "release")) {
            assertThat(t.tracing()).isFalse();
            t.scheduled("release run", CONTEXT, "flashsale.release.runs", inv -> inv.outcome("done"));
        } finally {
            System.setOut(previous);
        }
        List<String> emf = stdout.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("{\"_aws\""))
                .map(l -> l + "\n")
                .toList();
        List<EmfSpec.Metric> metrics = EmfSpec.metrics(emf);
        assertThat(metrics).extracting(EmfSpec.Metric::namespace).containsOnly("flashsale/my-stack");
        assertThat(EmfSpec.sumBy(metrics, "flashsale.release.runs", "outcome")).isEqualTo(Map.of("done", 1.0));
        assertThat(metrics)
                .filteredOn(m -> m.name().equals("flashsale.handler.duration"))
                .singleElement()
                .satisfies(m -> assertThat(m.dimensions()).isEqualTo(Map.of("outcome", "done", "function", "release")));
    }

    @Test
    void xray_postsSpansSignedWithSigV4ForXray_withTheSessionToken() throws Exception {
        List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", exchange -> {
            int body = exchange.getRequestBody().readAllBytes().length;
            requests.add(Map.of(
                    "path",
                    exchange.getRequestURI().getPath(),
                    "authorization",
                    String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                    "date",
                    String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Date")),
                    "token",
                    String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Security-Token")),
                    "type",
                    String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                    "bytes",
                    Integer.toString(body)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        endpoint.start();
        TelemetrySettings settings = TelemetrySettings.from(
                Config.of(Map.of(
                        "OTEL_TRACES_EXPORTER",
                        "xray",
                        "AWS_REGION",
                        "eu-west-1",
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                        "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v1/traces")),
                "reserve");
        var credentials = StaticCredentialsProvider.create(
                AwsSessionCredentials.create("AKIDEXAMPLE", "secret", "session-token-1"));
        try (Telemetry t = Telemetry.fromSettings(
                settings, Telemetry.resource(Config.of(Map.of()), "reserve"), "reserve", () -> credentials)) {
            t.scheduled(
                    "a run",
                    CONTEXT,
                    "flashsale.test.runs",
                    inv -> t.span("child", SpanKind.CLIENT, Attributes.empty(), () -> 1));
        } finally {
            endpoint.stop(0);
        }

        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.get("path")).isEqualTo("/v1/traces");
            assertThat(r.get("type")).isEqualTo("application/x-protobuf");
            assertThat(Integer.parseInt(r.get("bytes"))).isPositive();
            assertThat(r.get("date")).matches("\\d{8}T\\d{6}Z");
            assertThat(r.get("authorization"))
                    .matches(
                            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
                                    + r.get("date").substring(0, 8)
                                    + "/eu-west-1/xray/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}");
            assertThat(r.get("token")).isEqualTo("session-token-1");
        });
    }

    @Test
    void priming_runsEveryExportPath_butNothingReachesTheCollector() throws Exception {
        LoopbackReceiver collector = LoopbackReceiver.start();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        String url = collector.url().toString();
        try (Telemetry otlp = TestTelemetry.from(
                        Map.of(
                                "OTEL_TRACES_EXPORTER",
                                "otlp",
                                "OTEL_METRICS_EXPORTER",
                                "otlp",
                                "OTEL_EXPORTER_OTLP_ENDPOINT",
                                url),
                        "reserve");
                Telemetry xray = TestTelemetry.from(
                        Map.of(
                                "OTEL_TRACES_EXPORTER",
                                "xray",
                                "OTEL_METRICS_EXPORTER",
                                "emf",
                                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                url + "/v1/traces"),
                        "confirm")) {
            otlp.prime();
            xray.prime();
            otlp.flush();
            xray.flush();
        } finally {
            System.setOut(previous);
            collector.close();
        }
        assertThat(collector.requests())
                .as("priming sends nothing there, and leaves nothing to flush")
                .isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).doesNotContain("_aws");
    }

    @Test
    void xray_defaultsToTheRegionsOtlpEndpoint_andEachSignalRefusesTheOthersExporter() {
        TelemetrySettings s = TelemetrySettings.from(
                Config.of(Map.of("OTEL_TRACES_EXPORTER", "xray", "AWS_REGION", "ap-south-1")), "x");
        assertThat(s.tracesEndpoint()).hasToString("https://xray.ap-south-1.amazonaws.com/v1/traces");
        assertThat(TelemetrySettings.from(
                                Config.of(Map.of(
                                        "OTEL_TRACES_EXPORTER",
                                        "otlp",
                                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                                        "http://collector:4318/")),
                                "x")
                        .tracesEndpoint())
                .hasToString("http://collector:4318/v1/traces");
        assertThatThrownBy(() -> TelemetrySettings.from(Config.of(Map.of("OTEL_METRICS_EXPORTER", "xray")), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OTEL_METRICS_EXPORTER must be none, logging, otlp, emf");
        assertThatThrownBy(() -> TelemetrySettings.from(Config.of(Map.of("OTEL_TRACES_EXPORTER", "emf")), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OTEL_TRACES_EXPORTER must be none, logging, otlp, xray");
        assertThatThrownBy(() -> TelemetrySettings.from(Config.of(Map.of("METRICS_NAMESPACE", "x".repeat(256))), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("METRICS_NAMESPACE");
    }
}

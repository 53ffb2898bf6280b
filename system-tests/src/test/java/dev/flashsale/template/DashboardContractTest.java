package dev.flashsale.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.config.Config;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.TelemetrySettings;
import dev.flashsale.testing.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stack's CloudWatch dashboard and the alarms on its business metrics, checked against the code: every metric of
 * the stack's namespace they name is one the code emits (or a log metric filter of the template defines), with
 * dimensions the code sets; the dashboard shows what an operator watches during a sale; the exporter parameters give
 * values the code accepts; the SAM translator turns it all into CloudFormation.
 */
class DashboardContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "flashsale/${AWS::StackName}";
    private static final String SAMPLE_NAMESPACE = "flashsale/sample-stack";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
    private static final Pattern METRIC_LITERAL = Pattern.compile("\"(flashsale\\.[a-z_]+(?:\\.[a-z_]+)*)\"");
    private static final Pattern RECORD_COUNTER = Pattern.compile("\\.record\\([^;]*?\"(flashsale\\.[a-z_.]+)\"");
    private static final Pattern ATTRIBUTE_KEY = Pattern.compile("(?:stringKey\\(|\\.put\\()\\s*\"([a-z_]+)\"");
    private static final Pattern SEARCH =
            Pattern.compile("SEARCH\\('\\{\"([^\"]+)\",([^}]*)} MetricName=\"([^\"]+)\"([^']*)'");

    private static Path root;
    private static JsonNode template;
    private static JsonNode dashboard;
    private static Set<String> emitted;
    private static Set<String> attributeKeys;

    /** A metric as a dashboard widget or an alarm names it. */
    private record Named(String where, String namespace, String name, Set<String> dimensions) {}

    @BeforeAll
    static void read() throws IOException {
        root = RepoRoot.find();
        template = CfnYaml.read(root.resolve("template.yaml"));
        String body = resource("Dashboard", "AWS::CloudWatch::Dashboard")
                .path("Properties")
                .path("DashboardBody")
                .path("Fn::Sub")
                .asText();
        dashboard = JSON.readTree(samples(body));
        emitted = new TreeSet<>();
        attributeKeys = new TreeSet<>();
        for (Path dir : List.of(root.resolve("layers/shared/src/main/java"), root.resolve("functions"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p ->
                                p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                        .toList()) {
                    String src = Files.readString(f);
                    METRIC_LITERAL.matcher(src).results().forEach(m -> emitted.add(m.group(1)));
                    // an SQS consumer's lag histogram is named after the counter its records are counted in
                    RECORD_COUNTER.matcher(src).results().forEach(m -> emitted.add(m.group(1) + Telemetry.LAG_SUFFIX));
                    if (f.toString().contains("/dev/flashsale/telemetry/")) {
                        ATTRIBUTE_KEY.matcher(src).results().forEach(m -> attributeKeys.add(m.group(1)));
                    }
                }
            }
        }
        System.out.println("[dashboard] metrics the code emits: " + emitted + "; metric attributes: " + attributeKeys);
    }

    @Test
    void theNamespace_isTheOneTheFunctionsAreGiven_andTheLogMetricFiltersUse() {
        assertThat(template.path("Globals")
                        .path("Function")
                        .path("Environment")
                        .path("Variables")
                        .path("METRICS_NAMESPACE")
                        .path("Fn::Sub")
                        .asText())
                .isEqualTo(NAMESPACE);
        resources("AWS::Logs::MetricFilter")
                .forEach((name, r) -> r.path("Properties")
                        .path("MetricTransformations")
                        .forEach(t -> assertThat(t.path("MetricNamespace")
                                        .path("Fn::Sub")
                                        .asText())
                                .as("%s namespace", name)
                                .isEqualTo(NAMESPACE)));
        resources("AWS::CloudWatch::Alarm").forEach((name, r) -> {
            JsonNode ns = r.path("Properties").path("Namespace");
            if (!ns.isTextual()) {
                assertThat(ns.path("Fn::Sub").asText()).as("%s namespace", name).isEqualTo(NAMESPACE);
            }
        });
    }

    @Test
    void theExporterParameters_giveValuesTheCodeAccepts_emfByDefault() {
        JsonNode metrics = template.path("Parameters").path("MetricsExporter");
        assertThat(metrics.path("Default").asText()).isEqualTo("emf");
        JsonNode env =
                template.path("Globals").path("Function").path("Environment").path("Variables");
        assertThat(env.path("OTEL_METRICS_EXPORTER").path("Ref").asText()).isEqualTo("MetricsExporter");
        metrics.path("AllowedValues")
                .forEach(v -> assertThat(
                                TelemetrySettings.from(Config.of(Map.of("OTEL_METRICS_EXPORTER", v.asText())), "x")
                                        .metrics()
                                        .name())
                        .isEqualToIgnoringCase(v.asText()));

        // Traces none | adot | xray -> OTEL_TRACES_EXPORTER none | otlp | xray, through !If on the Traces conditions
        JsonNode traces = env.path("OTEL_TRACES_EXPORTER").path("Fn::If");
        assertThat(traces.toString())
                .isEqualTo("[\"TracesToXRay\",\"xray\",{\"Fn::If\":[\"TracesToAdot\",\"otlp\",\"none\"]}]");
        assertThat(template.path("Conditions").path("TracesToXRay").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"Traces\"},\"xray\"]}");
        assertThat(template.path("Conditions").path("TracesToAdot").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"Traces\"},\"adot\"]}");
        assertThat(template.path("Parameters")
                        .path("Traces")
                        .path("AllowedValues")
                        .toString())
                .isEqualTo("[\"none\",\"adot\",\"xray\"]");
        for (String exporter : List.of("none", "otlp", "xray")) {
            assertThat(TelemetrySettings.from(Config.of(Map.of("OTEL_TRACES_EXPORTER", exporter)), "x")
                            .traces()
                            .name())
                    .isEqualToIgnoringCase(exporter);
        }
        assertThat(resource("TracesWritePolicy", "AWS::IAM::Policy")
                        .path("Condition")
                        .asText())
                .isEqualTo("TracesOn");
    }

    @Test
    void theDashboard_isValidWidgetJson_whoseReferencesAreInTheTemplate() {
        String body = resource("Dashboard", "AWS::CloudWatch::Dashboard")
                .path("Properties")
                .path("DashboardBody")
                .path("Fn::Sub")
                .asText();
        Matcher m = SUB_VARIABLE.matcher(body);
        while (m.find()) {
            String ref = m.group(1);
            String resourceName = ref.contains(".") ? ref.substring(0, ref.indexOf('.')) : ref;
            assertThat(ref.startsWith("AWS::")
                            || template.path("Parameters").has(ref)
                            || template.path("Resources").has(resourceName))
                    .as("${%s} in the dashboard names a parameter, a resource or a pseudo parameter", ref)
                    .isTrue();
        }
        assertThat(dashboard.path("widgets").size()).isPositive();
        for (JsonNode w : dashboard.path("widgets")) {
            assertThat(w.path("type").asText()).isIn("metric", "text", "alarm");
            for (String field : List.of("x", "y", "width", "height")) {
                assertThat(w.path(field).isInt())
                        .as("widget %s has %s", w.path("properties").path("title"), field)
                        .isTrue();
            }
            assertThat(w.path("x").asInt() + w.path("width").asInt())
                    .as("within the 24 columns")
                    .isLessThanOrEqualTo(24);
            if (w.path("type").asText().equals("metric")) {
                assertThat(w.path("properties").path("region").asText()).isNotEmpty();
                assertThat(w.path("properties").path("metrics").size()).isPositive();
            }
        }
    }

    @Test
    void everyMetricOfTheStacksNamespace_thatTheDashboardOrAnAlarmNames_isOneTheCodeEmits() {
        Set<String> filtered = new TreeSet<>();
        resources("AWS::Logs::MetricFilter")
                .values()
                .forEach(r -> r.path("Properties")
                        .path("MetricTransformations")
                        .forEach(t -> filtered.add(t.path("MetricName").asText())));
        List<Named> ours = named().stream()
                .filter(n -> n.namespace().equals(SAMPLE_NAMESPACE))
                .toList();
        assertThat(ours).hasSizeGreaterThan(10);
        for (Named n : ours) {
            if (filtered.contains(n.name())) {
                assertThat(n.dimensions())
                        .as("%s: a metric filter's metric has no dimensions", n.where())
                        .isEmpty();
                continue;
            }
            assertThat(emitted)
                    .as("%s names %s: no code emits it", n.where(), n.name())
                    .contains(n.name());
            assertThat(attributeKeys)
                    .as("%s: dimensions of %s are attributes the code sets", n.where(), n.name())
                    .containsAll(n.dimensions());
        }
    }

    @Test
    void theDashboard_showsWhatAnOperatorWatchesDuringASale() {
        List<Named> all =
                named().stream().filter(n -> n.where().startsWith("dashboard")).toList();
        Set<String> names = new TreeSet<>();
        all.forEach(n -> names.add(n.namespace().replace(SAMPLE_NAMESPACE, "ours") + " " + n.name()));
        assertThat(names)
                .contains(
                        "ours " + Telemetry.UNITS_LEFT,
                        "ours " + Telemetry.UNITS,
                        "ours flashsale.reservations",
                        "ours flashsale.handler.duration",
                        "ours flashsale.confirmations" + Telemetry.LAG_SUFFIX,
                        "ours flashsale.confirmations",
                        "ours BreakerOpened",
                        "ours flashsale.breaker.transitions",
                        "AWS/SQS ApproximateAgeOfOldestMessage",
                        "AWS/SQS ApproximateNumberOfMessagesVisible",
                        "AWS/Lambda Throttles",
                        "AWS/Lambda ConcurrentExecutions");
        String text = dashboard.toString();
        assertThat(text)
                .contains("\"stat\":\"p99\"")
                .contains("sample-ConfirmQueue-QueueName")
                .contains("sample-ConfirmDLQ-QueueName");
        for (String function : List.of(
                "ReserveFunction",
                "ReservationQueryFunction",
                "SaleStatusFunction",
                "AdminFunction",
                "WaitingRoomFunction",
                "PaymentFunction",
                "PrewarmFunction",
                "ConfirmFunction",
                "ReleaseFunction")) {
            assertThat(text)
                    .as("throttles and concurrency of %s", function)
                    .contains("\"FunctionName\",\"sample-" + function + "\"");
        }
        List<String> alarmsShown = new ArrayList<>();
        dashboard
                .path("widgets")
                .forEach(w -> w.path("properties").path("alarms").forEach(a -> alarmsShown.add(a.asText())));
        assertThat(alarmsShown)
                .as("every alarm of the stack on the dashboard")
                .containsExactlyInAnyOrderElementsOf(resources("AWS::CloudWatch::Alarm").keySet().stream()
                        .map(a -> "sample-" + a + "-Arn")
                        .toList());
    }

    @Test
    void alarmsOnTheBusinessMetrics_treatMissingDataAsNotBreaching_becauseEmfCanBeOff() {
        resources("AWS::CloudWatch::Alarm").forEach((name, r) -> {
            if (r.path("Properties").path("Namespace").has("Fn::Sub")) {
                assertThat(r.path("Properties").path("TreatMissingData").asText())
                        .as(name)
                        .isEqualTo("notBreaching");
            }
        });
        assertThat(resources("AWS::CloudWatch::Alarm"))
                .containsKeys(
                        "ReservationErrorsAlarm",
                        "ReservationsUnavailableAlarm",
                        "ConfirmationErrorsAlarm",
                        "ConfirmationLagAlarm");
    }

    @Test
    void theSamTranslator_turnsTheTemplateIntoCloudFormation_withTheDashboardAndTheTracingPolicyOnTheFunctionsRoles()
            throws Exception {
        boolean translator = new ProcessBuilder("python3", "-c", "import samtranslator")
                        .start()
                        .waitFor()
                == 0;
        if (!translator) {
            System.out.println(
                    "[dashboard] python3 with aws-sam-translator not found: translation not checked (pip install cfn-lint)");
        }
        assumeTrue(translator || System.getenv("CI") != null, "aws-sam-translator is not installed");
        Process p = new ProcessBuilder("python3", "scripts/sam-translate.py", "template.yaml")
                .directory(root.toFile())
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("sam-translate.py: %s", err).isZero();
        JsonNode cfn = JSON.readTree(out).path("Resources");

        assertThat(cfn.path("Dashboard").path("Type").asText()).isEqualTo("AWS::CloudWatch::Dashboard");
        cfn.path("TracesWritePolicy")
                .path("Properties")
                .path("Roles")
                .forEach(role -> assertThat(
                                cfn.path(role.path("Ref").asText()).path("Type").asText())
                        .as("%s is a role SAM generates", role)
                        .isEqualTo("AWS::IAM::Role"));
        Map<String, JsonNode> lambdas = new LinkedHashMap<>();
        cfn.properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Lambda::Function")) {
                lambdas.put(e.getKey(), e.getValue());
            }
        });
        assertThat(lambdas).hasSize(10);
        lambdas.forEach((name, f) -> {
            assertThat(f.path("Properties").path("Layers").toString())
                    .as("%s layers", name)
                    .contains("NeedsCollector");
            assertThat(f.path("Properties")
                            .path("Environment")
                            .path("Variables")
                            .has("OTEL_METRICS_EXPORTER"))
                    .as(name)
                    .isTrue();
        });
        assertThat(cfn.path("TracesWritePolicy")
                        .path("Properties")
                        .path("Roles")
                        .size())
                .as("every function that records telemetry")
                .isEqualTo(9);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Every metric the dashboard's widgets and the template's alarms name. */
    private static List<Named> named() {
        List<Named> out = new ArrayList<>();
        for (JsonNode w : dashboard.path("widgets")) {
            String where =
                    "dashboard widget '" + w.path("properties").path("title").asText() + "'";
            for (JsonNode m : w.path("properties").path("metrics")) {
                if (m.get(0).isTextual()) {
                    Set<String> dims = new TreeSet<>();
                    for (int i = 2; i + 1 < m.size() && m.get(i).isTextual(); i += 2) {
                        dims.add(m.get(i).asText());
                    }
                    out.add(new Named(where, m.get(0).asText(), m.get(1).asText(), dims));
                } else {
                    Matcher s = SEARCH.matcher(m.get(0).path("expression").asText());
                    assertThat(s.find())
                            .as("%s: a SEARCH expression in the form this test reads: %s", where, m)
                            .isTrue();
                    Set<String> dims = new TreeSet<>(List.of(s.group(2).split(",")));
                    Matcher terms = Pattern.compile("([a-z_]+)=\"").matcher(s.group(4));
                    terms.results()
                            .forEach(t -> assertThat(dims)
                                    .as("%s filters on a dimension of its schema", where)
                                    .contains(t.group(1)));
                    out.add(new Named(where, s.group(1), s.group(3), dims));
                }
            }
        }
        resources("AWS::CloudWatch::Alarm").forEach((name, r) -> {
            JsonNode p = r.path("Properties");
            String ns = p.path("Namespace").isTextual()
                    ? p.path("Namespace").asText()
                    : samples(p.path("Namespace").path("Fn::Sub").asText());
            Set<String> dims = new TreeSet<>();
            p.path("Dimensions").forEach(d -> dims.add(d.path("Name").asText()));
            out.add(new Named("alarm " + name, ns, p.path("MetricName").asText(), dims));
        });
        return out;
    }

    /** {@code ${AWS::StackName}} → sample-stack, {@code ${X}} → sample-X, {@code ${X.Attr}} → sample-X-Attr. */
    private static String samples(String sub) {
        Matcher m = SUB_VARIABLE.matcher(sub);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String v = switch (ref) {
                case "AWS::StackName" -> "sample-stack";
                case "AWS::Region" -> "eu-west-1";
                default -> "sample-" + ref.replace('.', '-').replace("::", "-");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        template.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static JsonNode resource(String name, String type) {
        JsonNode r = template.path("Resources").path(name);
        assertThat(r.path("Type").asText()).as("resource %s", name).isEqualTo(type);
        return r;
    }
}

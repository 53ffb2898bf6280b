package dev.flashsale.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.db.DbSettings;
import dev.flashsale.init.InitSettings;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.testing.RepoRoot;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * template.yaml checked against the code it deploys, in both directions. What a function reads and calls is what its
 * environment record declares ({@code XxxEnvironment}, beside its {@code XxxInit}): the variables it reads
 * ({@code VARIABLES}, themselves checked against what {@code from(Config)} asks for) and, by its components, the clients
 * it builds (SQS for an {@link SqsSettings}, the database for a {@link DbSettings}, breakers for a
 * {@link BreakerSettings}).
 * <ul>
 *   <li>Environment: every variable the template sets is declared by that function (a typo'd or dead variable fails);
 *       every declaration is exactly what its record's {@code from(Config)} reads; and the function's {@code XxxInit}
 *       is built from the template's values (parameters at their defaults, deploy-time values as realistic samples),
 *       so every value set must parse, be in range and fit the others (required ones included).</li>
 *   <li>README: its configuration table names every variable some function declares, and no other.</li>
 *   <li>IAM: a function whose environment has SQS settings has {@code SQSSendMessagePolicy} on exactly the queue it is
 *       given; one that logs in to the database with IAM auth has {@code rds-db:connect} on the proxy user it logs in
 *       as; no statement uses a {@code *} resource; nothing grants {@code secretsmanager:GetSecretValue}.</li>
 *   <li>Routes: every HttpApi route in the template is served by a handler declaring it ({@code ROUTE}), and every HTTP
 *       handler's routes are in the template, on that handler's function.</li>
 *   <li>Alarms: every function has Errors and Throttles alarms, and one with breakers the BreakerOpened filter. Zips:
 *       each built function zip carries the built layer's hash. cfn-lint passes.</li>
 * </ul>
 */
class TemplateCodeContractTest {

    /** Set by the Lambda runtime or read by the JVM or the ADOT collector layer, not by our Config. */
    private static final Set<String> RUNTIME_VARIABLES =
            Set.of("JAVA_TOOL_OPTIONS", "AWS_REGION", "OPENTELEMETRY_COLLECTOR_CONFIG_URI");

    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(static\\s+)?(dev\\.flashsale\\.[\\w.]+?)(\\.\\*)?;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.flashsale\\.(?:[a-z]\\w*\\.)+[A-Z]\\w*");

    private static Path root;
    private static JsonNode template;
    private static Map<String, JsonNode> functions;
    /** Fully qualified class name → source without comments, for the shared layer and every function module. */
    private static Map<String, String> sources;

    @BeforeAll
    static void read() throws IOException {
        root = RepoRoot.find();
        template = CfnYaml.read(root.resolve("template.yaml"));
        functions = TemplateContractTest.functions(template);
        sources = new HashMap<>();
        index(root.resolve("layers/shared/src/main/java"));
        try (Stream<Path> modules = Files.list(root.resolve("functions"))) {
            for (Path m : modules.toList()) {
                index(m.resolve("src/main/java"));
            }
        }
    }

    // ---- environment --------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyVariableTheTemplateSets_isDeclaredByThatFunction() {
        return functions.keySet().stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    Set<String> declared = declared(name);
                    Map<String, String> env = environment(name);
                    System.out.printf(
                            "[contract] %s declares %d variables; template sets %s%n",
                            name, declared.size(), env.keySet());
                    for (String variable : env.keySet()) {
                        if (RUNTIME_VARIABLES.contains(variable)) {
                            continue;
                        }
                        assertThat(declared)
                                .as(
                                        "%s: the template sets %s, which this function does not read (typo? dead?)",
                                        name, variable)
                                .contains(variable);
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyEnvironmentRecord_readsExactlyWhatItDeclares() {
        return functions.keySet().stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    Config recording = Config.recording(environmentWithRuntime(name));
                    environmentClass(name).getMethod("from", Config.class).invoke(null, recording);
                    assertThat(recording.asked())
                            .as(
                                    "%s: what %s.from(Config) asks for",
                                    name, environmentClass(name).getSimpleName())
                            .isEqualTo(declared(name));
                }));
    }

    @Test
    void theReadmesConfigurationTable_namesEveryDeclaredVariable_andNoOther() throws Exception {
        Set<String> declared = new TreeSet<>();
        for (String name : functions.keySet()) {
            declared.addAll(declared(name));
        }
        // set by the Lambda runtime (AWS_REGION is documented all the same), or named as a family in the table
        // (BREAKER_<DEPENDENCY>_*)
        declared.removeIf(v -> (InitSettings.RUNTIME.contains(v) && !v.equals("AWS_REGION"))
                || v.equals("AWS_LAMBDA_LOG_LEVEL")
                || v.equals("AWS_ACCESS_KEY_ID")
                || v.matches("BREAKER_(REDIS|DB|SQS)_.*"));
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("## Configuration");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Set<String> documented = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| `")) {
                Matcher m = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(line.substring(0, line.indexOf(" |", 2)));
                while (m.find()) {
                    documented.add(m.group(1));
                }
            }
        }
        documented.remove("JAVA_TOOL_OPTIONS"); // the JVM's, not ours
        assertThat(documented)
                .as("README ## Configuration: the variables the functions declare")
                .isEqualTo(declared);
    }

    @TestFactory
    Stream<DynamicTest> everyFunctionInit_acceptsTheTemplatesValues() {
        return functions.keySet().stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    Map<String, String> env = environmentWithRuntime(name);
                    Config config = Config.of(env);
                    Class<?> init = initClass(name);
                    Object built = null;
                    try {
                        built = construct(init, config);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof ConfigException bad) {
                            fail(
                                    "%s: %s refuses the template's environment %s: %s",
                                    name, init.getSimpleName(), env.keySet(), bad.getMessage());
                        }
                        throw e;
                    } finally {
                        closeQuietly(built);
                    }
                }));
    }

    // ---- IAM ----------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> iamPolicies_coverTheCallsTheCodeMakes_andNoMore() {
        return functions.keySet().stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    JsonNode props = functions.get(name);
                    Set<Class<?>> clients = components(name);
                    JsonNode env = props.path("Environment").path("Variables");
                    List<JsonNode> policies = new ArrayList<>();
                    props.path("Policies").forEach(policies::add);

                    // SQS send: only to the queue the code is given, and only by code that sends
                    List<String> sendQueues = new ArrayList<>();
                    for (JsonNode p : policies) {
                        if (p.has("SQSSendMessagePolicy")) {
                            JsonNode q = p.path("SQSSendMessagePolicy")
                                    .path("QueueName")
                                    .path("Fn::GetAtt");
                            assertThat(q.isArray() && q.get(1).asText().equals("QueueName"))
                                    .as("%s: SQSSendMessagePolicy QueueName is !GetAtt <queue>.QueueName", name)
                                    .isTrue();
                            sendQueues.add(q.get(0).asText());
                        }
                    }
                    if (clients.contains(SqsSettings.class)) {
                        String queue = env.path("CONFIRM_QUEUE_URL").path("Ref").asText();
                        assertThat(sendQueues)
                                .as(
                                        "%s sends to SQS (SqsConfirmationQueue): SQSSendMessagePolicy on CONFIRM_QUEUE_URL's queue",
                                        name)
                                .containsExactly(queue);
                    } else {
                        assertThat(sendQueues).as("%s never sends to SQS", name).isEmpty();
                    }

                    // Database with IAM auth: rds-db:connect on the proxy user DATABASE_URL and DB_USER name
                    List<JsonNode> statements = statements(policies);
                    List<JsonNode> connects = statements.stream()
                            .filter(s -> actions(s).contains("rds-db:connect"))
                            .toList();
                    boolean iamDb = clients.contains(DbSettings.class)
                            && env.path("DB_IAM_AUTH").asText().equals("true");
                    if (iamDb) {
                        assertThat(env.has("DB_PASSWORD"))
                                .as("%s logs in with IAM tokens: no DB_PASSWORD", name)
                                .isFalse();
                        assertThat(env.path("DATABASE_URL").path("Fn::Sub").asText())
                                .as("%s DATABASE_URL", name)
                                .contains("${DbProxy.Endpoint}")
                                .contains("sslmode=require");
                        assertThat(connects)
                                .as("%s: one rds-db:connect statement", name)
                                .hasSize(1);
                        JsonNode sub = connects.get(0).path("Resource").path("Fn::Sub");
                        assertThat(sub.get(0).asText())
                                .as("%s rds-db:connect resource", name)
                                .endsWith(":dbuser:${ProxyId}/${"
                                        + env.path("DB_USER").path("Ref").asText() + "}");
                        assertThat(sub.get(1).path("ProxyId").toString())
                                .as("%s: the proxy's resource id", name)
                                .contains("\"DbProxy\"")
                                .contains("DBProxyArn");
                    } else {
                        assertThat(connects)
                                .as("%s does not log in to RDS Proxy with IAM: no rds-db:connect", name)
                                .isEmpty();
                    }

                    for (JsonNode s : statements) {
                        assertThat(s.path("Resource").toString())
                                .as("%s: a statement with resource *", name)
                                .isNotEqualTo("\"*\"");
                        assertThat(actions(s))
                                .as("%s: no function reads a secret at run time", name)
                                .noneMatch(a -> a.startsWith("secretsmanager:"));
                    }
                }));
    }

    @Test
    void theMigrateFunction_usesTheClusterEndpoint_notTheProxy() {
        JsonNode env = functions.get("MigrateFunction").path("Environment").path("Variables");
        assertThat(env.path("DATABASE_URL").path("Fn::Sub").asText())
                .as("Flyway's advisory lock would pin a proxy connection")
                .contains("${DbCluster.Endpoint.Address}")
                .doesNotContain("DbProxy");
        JsonNode migrations = template.path("Resources").path("DatabaseMigrations");
        assertThat(migrations
                        .path("Properties")
                        .path("ServiceToken")
                        .path("Ref")
                        .asText())
                .isEqualTo("MigrateFunction.Alias");
        assertThat(migrations
                        .path("Properties")
                        .path("SchemaSource")
                        .path("Ref")
                        .asText())
                .as("a new MigrateFunction version (a zip with new migrations) updates the custom resource")
                .isEqualTo("MigrateFunction.Version");
    }

    // ---- routes -------------------------------------------------------------------------------------------------

    @Test
    void everyTemplateRoute_hasAHandlerDeclaringIt_andEveryHandlerRoute_isInTheTemplate() throws Exception {
        Map<String, Set<String>> templateRoutes = new TreeMap<>(); // handler class → routes in the template
        functions.forEach((name, props) -> props.path("Events").forEach(event -> {
            if (event.path("Type").asText().equals("HttpApi")) {
                JsonNode p = event.path("Properties");
                templateRoutes
                        .computeIfAbsent(props.path("Handler").asText(), k -> new TreeSet<>())
                        .add(p.path("Method").asText().toUpperCase(java.util.Locale.ROOT) + " "
                                + p.path("Path").asText());
            }
        }));
        Map<String, Set<String>> codeRoutes = new TreeMap<>(); // every HTTP handler in the function modules → ROUTE(S)
        for (String fqn : sources.keySet()) {
            if (!fqn.startsWith("dev.flashsale.") || !isFunctionClass(fqn)) {
                continue;
            }
            Class<?> type = Class.forName(fqn, false, getClass().getClassLoader());
            if (!isHttpHandler(type)) {
                continue;
            }
            Set<String> routes = declaredRoutes(type);
            assertThat(routes)
                    .as(
                            "%s is an HTTP handler: declare its route(s) as public static final String ROUTE (or String[] ROUTES)",
                            fqn)
                    .isNotEmpty();
            codeRoutes.put(fqn, routes);
        }
        System.out.println("[contract] routes in code: " + codeRoutes);
        assertThat(templateRoutes)
                .as("template routes per handler == routes the handlers declare")
                .isEqualTo(codeRoutes);
    }

    @Test
    void publicRoutes_areExactlyTheOnesTheirHandlersDeclarePublic() throws Exception {
        Set<String> templatePublic = new TreeSet<>(); // routes whose authorizer is NONE
        functions.forEach((name, props) -> props.path("Events").forEach(event -> {
            JsonNode p = event.path("Properties");
            if (event.path("Type").asText().equals("HttpApi")
                    && p.path("Auth").path("Authorizer").asText().equals("NONE")) {
                templatePublic.add(p.path("Method").asText().toUpperCase(java.util.Locale.ROOT) + " "
                        + p.path("Path").asText());
            }
        }));
        Set<String> codePublic = new TreeSet<>();
        for (String fqn : sources.keySet()) {
            if (!fqn.startsWith("dev.flashsale.") || !isFunctionClass(fqn)) {
                continue;
            }
            Class<?> type = Class.forName(fqn, false, getClass().getClassLoader());
            for (Field f : type.getFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && f.getName().equals("PUBLIC_ROUTES")
                        && f.getType() == String[].class) {
                    codePublic.addAll(List.of((String[]) f.get(null)));
                }
            }
        }
        assertThat(templatePublic)
                .as("routes without the JWT authorizer == routes the handlers declare PUBLIC_ROUTES")
                .isEqualTo(codePublic)
                .containsExactlyInAnyOrder("GET /sales/{saleId}/queue", "POST /payments/events");
    }

    // ---- alarms, zips, lint -------------------------------------------------------------------------------------

    @Test
    void everyFunction_hasErrorsAndThrottlesAlarms_andTheDlqHasOne() {
        Map<String, Set<String>> alarmed = new HashMap<>();
        List<String> queues = new ArrayList<>();
        template.path("Resources").forEach(r -> {
            if (!r.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                return;
            }
            JsonNode p = r.path("Properties");
            p.path("Dimensions").forEach(d -> {
                if (d.path("Name").asText().equals("FunctionName")
                        && p.path("Namespace").asText().equals("AWS/Lambda")) {
                    alarmed.computeIfAbsent(d.path("Value").path("Ref").asText(), k -> new TreeSet<>())
                            .add(p.path("MetricName").asText());
                }
                if (d.path("Name").asText().equals("QueueName")
                        && p.path("MetricName").asText().equals("ApproximateNumberOfMessagesVisible")) {
                    queues.add(d.path("Value").path("Fn::GetAtt").path(0).asText());
                }
            });
        });
        functions
                .keySet()
                .forEach(name -> assertThat(alarmed.getOrDefault(name, Set.of()))
                        .as("%s alarms", name)
                        .contains("Errors", "Throttles"));
        assertThat(queues).as("a DLQ-not-empty alarm").contains("ConfirmDLQ");
    }

    @TestFactory
    Stream<DynamicTest> everyFunctionWithABreaker_logsToAGroupWithTheBreakerOpenedFilter() {
        return functions.keySet().stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    String group = functions
                            .get(name)
                            .path("LoggingConfig")
                            .path("LogGroup")
                            .path("Ref")
                            .asText();
                    assertThat(template.path("Resources")
                                    .path(group)
                                    .path("Type")
                                    .asText())
                            .as(
                                    "%s LoggingConfig.LogGroup is !Ref <a log group of this stack> (retention; no race with Lambda)",
                                    name)
                            .isEqualTo("AWS::Logs::LogGroup");
                    if (!components(name).contains(BreakerSettings.class)) {
                        return;
                    }
                    List<String> patterns = new ArrayList<>();
                    template.path("Resources").forEach(r -> {
                        if (r.path("Type").asText().equals("AWS::Logs::MetricFilter")
                                && r.path("Properties")
                                        .path("LogGroupName")
                                        .path("Ref")
                                        .asText()
                                        .equals(group)) {
                            patterns.add(
                                    r.path("Properties").path("FilterPattern").asText());
                        }
                    });
                    assertThat(patterns)
                            .as("%s uses circuit breakers: a BreakerOpened metric filter on %s", name, group)
                            .contains("\"circuit breaker\" \"-> OPEN\"");
                }));
    }

    /** The metric filter's terms must match what Breakers logs on a transition to OPEN (and nothing else). */
    @Test
    void breakerOpenedFilterTerms_matchTheLogLineBreakersWrites() {
        String src = sources.get("dev.flashsale.resilience.Breakers");
        assertThat(src).contains("\"circuit breaker '{}' {} -> {}\"");
        String opened = "circuit breaker 'redis' CLOSED -> OPEN";
        String halfOpen = "circuit breaker 'redis' OPEN -> HALF_OPEN";
        String forced = "circuit breaker 'db' CLOSED -> FORCED_OPEN";
        // CloudWatch term patterns: every quoted term must occur in the line
        java.util.function.Predicate<String> filter =
                line -> line.contains("circuit breaker") && line.contains("-> OPEN");
        assertThat(filter.test("[main] WARN dev.flashsale.resilience.Breakers - " + opened))
                .isTrue();
        assertThat(filter.test("{\"level\":\"WARN\",\"message\":\"" + opened + "\"}"))
                .isTrue();
        assertThat(filter.test(halfOpen)).isFalse();
        assertThat(filter.test(forced)).isFalse();
    }

    @TestFactory
    Stream<DynamicTest> everyBuiltFunctionZip_carriesTheBuiltLayersHash() {
        Path layer = root.resolve(template.path("Resources")
                .path("SharedLayer")
                .path("Properties")
                .path("ContentUri")
                .asText());
        Path hash = layer.resolveSibling("flashsale-layer.sha256");
        return functions.entrySet().stream()
                .map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
                    Path zip = root.resolve(f.getValue().path("CodeUri").asText());
                    assumeTrue(
                            Files.isRegularFile(zip) && Files.isRegularFile(hash),
                            () -> zip + " or " + hash + " not built (run mvn package)");
                    try (ZipFile z = new ZipFile(zip.toFile())) {
                        var entry = z.getEntry("META-INF/flashsale-layer.sha256");
                        assertThat(entry)
                                .as("%s carries the layer hash (a layer-only change must change the function zip)", zip)
                                .isNotNull();
                        try (var in = z.getInputStream(entry)) {
                            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                                    .as("%s was built with the layer now in %s", zip, layer)
                                    .isEqualTo(Files.readString(hash).trim());
                        }
                    }
                }));
    }

    @Test
    void cfnLint_passes() throws Exception {
        Path cfnLint = onPath("cfn-lint");
        if (cfnLint == null) {
            System.out.println("[contract] cfn-lint is not on PATH: lint skipped (pip install cfn-lint to run it)");
        }
        assumeTrue(cfnLint != null, "cfn-lint is not installed");
        Process p = new ProcessBuilder(cfnLint.toString(), "template.yaml")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cfn-lint finished").isTrue();
        assertThat(p.exitValue()).as("cfn-lint template.yaml:%n%s", out).isZero();
    }

    // ---- what each function declares -----------------------------------------------------------------------------

    /** {@code XxxInvoker} (the template's Handler) → its {@code XxxEnvironment}. */
    private static Class<?> environmentClass(String function) throws ClassNotFoundException {
        return Class.forName(functions.get(function).path("Handler").asText().replaceFirst("Invoker$", "Environment"));
    }

    @SuppressWarnings("unchecked")
    private static Set<String> declared(String function) throws ReflectiveOperationException {
        return (Set<String>) environmentClass(function).getField("VARIABLES").get(null);
    }

    /**
     * The types of the environment record's components, and of theirs where a component is a record (a
     * {@code RedisAccess} is its settings and its breaker's): which clients the function builds.
     */
    private static Set<Class<?>> components(String function) throws ClassNotFoundException {
        Set<Class<?>> types = new HashSet<>();
        addComponents(environmentClass(function), types);
        return types;
    }

    private static void addComponents(Class<?> record, Set<Class<?>> types) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (types.add(c.getType()) && c.getType().isRecord()) {
                addComponents(c.getType(), types);
            }
        }
    }

    /** The template's environment plus what the Lambda runtime sets, as a deployed function sees it. */
    private static Map<String, String> environmentWithRuntime(String function) {
        Map<String, String> env = new HashMap<>(environment(function));
        env.putIfAbsent("AWS_REGION", "eu-west-1");
        return env;
    }

    // ---- template values ----------------------------------------------------------------------------------------

    /** The function's environment as the deployed function would see it (blank = unset, as Config treats it). */
    private static Map<String, String> environment(String function) {
        Map<String, String> env = new TreeMap<>();
        functions
                .get(function)
                .path("Environment")
                .path("Variables")
                .properties()
                .forEach(e -> {
                    String v = sample(e.getKey(), e.getValue());
                    if (!v.isBlank()) {
                        env.put(e.getKey(), v);
                    }
                });
        return env;
    }

    /**
     * A realistic deployed value: literals as they are, parameters at their defaults, {@code !Sub} with its references
     * replaced by sample hosts and ports, {@code !If} by its first branch, dynamic references by a sample secret.
     */
    private static String sample(String variable, JsonNode v) {
        if (v.isValueNode()) {
            return v.asText();
        }
        if (v.has("Ref")) {
            String ref = v.path("Ref").asText();
            JsonNode parameter = template.path("Parameters").path(ref);
            if (!parameter.isMissingNode()) {
                assertThat(parameter.has("Default"))
                        .as("%s: parameter %s has a default to check", variable, ref)
                        .isTrue();
                return parameter.path("Default").asText();
            }
            if (template.path("Resources").path(ref).path("Type").asText().equals("AWS::SQS::Queue")) {
                return "https://sqs.eu-west-1.amazonaws.com/123456789012/" + ref;
            }
            return "sample-" + ref;
        }
        if (v.has("Fn::If")) {
            return sample(variable, v.path("Fn::If").get(1));
        }
        if (v.has("Fn::Sub")) {
            String s = v.path("Fn::Sub").isArray()
                    ? v.path("Fn::Sub").get(0).asText()
                    : v.path("Fn::Sub").asText();
            s = s.replaceAll(
                    "\\{\\{resolve:.*?}}",
                    "Secret0123456789Secret0123456789"); // 32 characters: the longest minimum (PAYMENT_WEBHOOK_SECRET)
            Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String ref = m.group(1);
                String value = ref.endsWith("Port")
                        ? "5432"
                        : template.path("Parameters").has(ref)
                                ? template.path("Parameters")
                                        .path(ref)
                                        .path("Default")
                                        .asText()
                                : ref.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                                        + ".example.internal";
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }
        throw new AssertionError(variable + ": no sample for " + v);
    }

    private static List<JsonNode> statements(List<JsonNode> policies) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : policies) {
            p.path("Statement").forEach(out::add);
        }
        return out;
    }

    private static List<String> actions(JsonNode statement) {
        JsonNode a = statement.path("Action");
        List<String> out = new ArrayList<>();
        if (a.isArray()) {
            a.forEach(x -> out.add(x.asText()));
        } else {
            out.add(a.asText());
        }
        return out;
    }

    // ---- classes ------------------------------------------------------------------------------------------------

    private static Class<?> initClass(String function) throws ClassNotFoundException {
        String handler = functions.get(function).path("Handler").asText();
        String pkg = handler.substring(0, handler.lastIndexOf('.'));
        // each function's Init is named after its invoker: XxxInvoker -> XxxInit (a module may host several functions)
        String init = handler.replaceFirst("Invoker$", "Init");
        assertThat(sources).as("%s: its init %s", function, init).containsKey(init);
        return Class.forName(init);
    }

    /** Builds an Init as Lambda does ({@code XxxInit.from(Config)}), unregistered and unprimed; nothing connects. */
    private static Object construct(Class<?> init, Config config) throws ReflectiveOperationException {
        return init.getMethod("from", Config.class).invoke(null, config);
    }

    private static void closeQuietly(Object init) {
        if (init == null) {
            return;
        }
        for (Field f : init.getClass().getDeclaredFields()) {
            if (AutoCloseable.class.isAssignableFrom(f.getType()) && !Modifier.isStatic(f.getModifiers())) {
                try {
                    f.setAccessible(true);
                    Object v = f.get(init);
                    if (v != null) {
                        ((AutoCloseable) v).close();
                    }
                } catch (Exception ignored) {
                    // nothing was opened
                }
            }
        }
    }

    private static boolean isHttpHandler(Class<?> type) {
        if (!RequestHandler.class.isAssignableFrom(type)) {
            return false;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) { // an HTTP invoker extends HttpInvoker
            for (var t : c.getGenericInterfaces()) {
                if (t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    return p.getActualTypeArguments()[0] == APIGatewayV2HTTPEvent.class;
                }
            }
        }
        return false;
    }

    private static Set<String> declaredRoutes(Class<?> type) throws IllegalAccessException {
        Set<String> routes = new TreeSet<>();
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            if (f.getName().equals("ROUTE") && f.getType() == String.class) {
                routes.add((String) f.get(null));
            } else if (f.getName().equals("ROUTES") && f.getType() == String[].class) {
                routes.addAll(List.of((String[]) f.get(null)));
            }
        }
        return routes;
    }

    // ---- sources ------------------------------------------------------------------------------------------------

    private static final Map<String, String> MODULE_OF = new HashMap<>();

    private static void index(Path srcMain) throws IOException {
        if (!Files.isDirectory(srcMain)) {
            return;
        }
        String module = root.relativize(srcMain.getParent().getParent().getParent())
                .toString()
                .replace('\\', '/');
        try (Stream<Path> files = Files.walk(srcMain)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = srcMain.relativize(f).toString().replace('\\', '/');
                String fqn = rel.substring(0, rel.length() - ".java".length()).replace('/', '.');
                sources.put(fqn, withoutComments(Files.readString(f)));
                MODULE_OF.put(fqn, module);
            }
        }
    }

    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//[^\"\\n]*$", " ");
    }

    private static String sourceModule(String fqn) {
        return MODULE_OF.getOrDefault(fqn, "");
    }

    private static boolean isFunctionClass(String fqn) {
        return sourceModule(fqn).startsWith("functions/");
    }

    private static String moduleDir(String function) {
        String codeUri = functions.get(function).path("CodeUri").asText();
        return codeUri.substring(0, codeUri.indexOf("/target/"));
    }

    private static String packageOf(String fqn) {
        return fqn.substring(0, fqn.lastIndexOf('.'));
    }

    private static String simpleName(String fqn) {
        return fqn.substring(fqn.lastIndexOf('.') + 1);
    }

    private static Path onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}

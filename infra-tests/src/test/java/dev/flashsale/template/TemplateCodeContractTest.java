package dev.flashsale.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.local.template.CfnYaml;

/**
 * template.yaml checked against the code it deploys, in both directions. What each function's code can reach is
 * derived from the sources: the function module's classes plus every shared-layer class they reach through imports,
 * fully qualified names and same-package references (comments ignored).
 * <ul>
 *   <li>Environment: every variable the reachable code reads with {@code config.required("X")} is set; every variable
 *       the template sets is read by that code (a typo'd or dead variable fails); and the function's {@code XxxInit}
 *       is built from the template's values (parameters at their defaults, deploy-time values as realistic samples),
 *       so every value set must parse and be in range.</li>
 *   <li>IAM: code that sends to SQS has {@code SQSSendMessagePolicy} on exactly the queue it is given; code that opens
 *       database connections with IAM auth has {@code rds-db:connect} on the proxy user it logs in as; no statement
 *       uses a {@code *} resource; nothing grants {@code secretsmanager:GetSecretValue} (no function reads a secret at
 *       run time).</li>
 *   <li>Routes: every HttpApi route in the template is served by a handler declaring it ({@code ROUTE}), and every HTTP
 *       handler's routes are in the template, on that handler's function.</li>
 *   <li>Alarms: every function has Errors and Throttles alarms. Zips: each built function zip carries the built layer's
 *       hash. cfn-lint passes.</li>
 * </ul>
 */
class TemplateCodeContractTest {

    /** Set by the Lambda runtime or read by the JVM or the ADOT collector layer, not by our Config. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "AWS_REGION", "OPENTELEMETRY_COLLECTOR_CONFIG_URI");
    private static final Pattern CONFIG_READ =
            Pattern.compile("\\bconfig\\.(string|duration|integer|bool|decimal|optional|required)\\(\\s*\"([A-Z][A-Z0-9_]*)\"");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?(dev\\.flashsale\\.[\\w.]+?)(\\.\\*)?;", Pattern.MULTILINE);
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
        JsonNode globals = template.path("Globals").path("Function");
        functions = new LinkedHashMap<>();
        template.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.put(e.getKey(), TemplateContractTest.merge(globals, e.getValue().path("Properties")));
            }
        });
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
    Stream<DynamicTest> everyVariableTheCodeRequires_isSet_andEveryVariableSet_isRead() {
        return functions.keySet().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Reach reach = reach(name);
            Map<String, String> env = environment(name);
            System.out.printf("[contract] %s reads %s; template sets %s%n", name, reach.reads().keySet(), env.keySet());
            reach.reads().forEach((variable, how) -> {
                if (how.equals("required")) {
                    assertThat(env).as("%s: the code requires %s (config.required) but the template does not set it", name, variable)
                            .containsKey(variable);
                }
            });
            for (String variable : env.keySet()) {
                if (RUNTIME_VARIABLES.contains(variable) || variable.startsWith("BREAKER_")) {
                    continue;  // BREAKER_<NAME>_* names are built at run time (BreakerSettings)
                }
                assertThat(reach.reads()).as("%s: the template sets %s, which no code of this function reads (typo? dead?)", name, variable)
                        .containsKey(variable);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyFunctionInit_acceptsTheTemplatesValues() {
        return functions.keySet().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Map<String, String> env = new HashMap<>(environment(name));
            env.putIfAbsent("AWS_REGION", "eu-west-1");  // the Lambda runtime sets it
            Config config = Config.of(env);
            Class<?> init = initClass(name);
            Object built = null;
            try {
                built = construct(init, config);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof ConfigException bad) {
                    fail("%s: %s refuses the template's environment %s: %s", name, init.getSimpleName(), env.keySet(), bad.getMessage());
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
        return functions.keySet().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            JsonNode props = functions.get(name);
            Reach reach = reach(name);
            JsonNode env = props.path("Environment").path("Variables");
            List<JsonNode> policies = new ArrayList<>();
            props.path("Policies").forEach(policies::add);

            // SQS send: only to the queue the code is given, and only by code that sends
            List<String> sendQueues = new ArrayList<>();
            for (JsonNode p : policies) {
                if (p.has("SQSSendMessagePolicy")) {
                    JsonNode q = p.path("SQSSendMessagePolicy").path("QueueName").path("Fn::GetAtt");
                    assertThat(q.isArray() && q.get(1).asText().equals("QueueName"))
                            .as("%s: SQSSendMessagePolicy QueueName is !GetAtt <queue>.QueueName", name).isTrue();
                    sendQueues.add(q.get(0).asText());
                }
            }
            if (reach.sendsToSqs()) {
                String queue = env.path("CONFIRM_QUEUE_URL").path("Ref").asText();
                assertThat(sendQueues).as("%s sends to SQS (SqsConfirmationQueue): SQSSendMessagePolicy on CONFIRM_QUEUE_URL's queue", name)
                        .containsExactly(queue);
            } else {
                assertThat(sendQueues).as("%s never sends to SQS", name).isEmpty();
            }

            // Database with IAM auth: rds-db:connect on the proxy user DATABASE_URL and DB_USER name
            List<JsonNode> statements = statements(policies);
            List<JsonNode> connects = statements.stream().filter(s -> actions(s).contains("rds-db:connect")).toList();
            boolean iamDb = reach.opensDbConnections() && env.path("DB_IAM_AUTH").asText().equals("true");
            if (iamDb) {
                assertThat(env.has("DB_PASSWORD")).as("%s logs in with IAM tokens: no DB_PASSWORD", name).isFalse();
                assertThat(env.path("DATABASE_URL").path("Fn::Sub").asText()).as("%s DATABASE_URL", name)
                        .contains("${DbProxy.Endpoint}").contains("sslmode=require");
                assertThat(connects).as("%s: one rds-db:connect statement", name).hasSize(1);
                JsonNode sub = connects.get(0).path("Resource").path("Fn::Sub");
                assertThat(sub.get(0).asText()).as("%s rds-db:connect resource", name)
                        .endsWith(":dbuser:${ProxyId}/${" + env.path("DB_USER").path("Ref").asText() + "}");
                assertThat(sub.get(1).path("ProxyId").toString()).as("%s: the proxy's resource id", name)
                        .contains("\"DbProxy\"").contains("DBProxyArn");
            } else {
                assertThat(connects).as("%s does not log in to RDS Proxy with IAM: no rds-db:connect", name).isEmpty();
            }

            for (JsonNode s : statements) {
                assertThat(s.path("Resource").toString()).as("%s: a statement with resource *", name).isNotEqualTo("\"*\"");
                assertThat(actions(s)).as("%s: no function reads a secret at run time", name)
                        .noneMatch(a -> a.startsWith("secretsmanager:"));
            }
        }));
    }

    @Test
    void theMigrateFunction_usesTheClusterEndpoint_notTheProxy() {
        JsonNode env = functions.get("MigrateFunction").path("Environment").path("Variables");
        assertThat(env.path("DATABASE_URL").path("Fn::Sub").asText())
                .as("Flyway's advisory lock would pin a proxy connection").contains("${DbCluster.Endpoint.Address}")
                .doesNotContain("DbProxy");
        JsonNode migrations = template.path("Resources").path("DatabaseMigrations");
        assertThat(migrations.path("Properties").path("ServiceToken").path("Ref").asText()).isEqualTo("MigrateFunction.Alias");
        assertThat(migrations.path("Properties").path("SchemaSource").path("Ref").asText())
                .as("a new layer (with new migrations) updates the custom resource").isEqualTo("SharedLayer");
    }

    // ---- routes -------------------------------------------------------------------------------------------------

    @Test
    void everyTemplateRoute_hasAHandlerDeclaringIt_andEveryHandlerRoute_isInTheTemplate() throws Exception {
        Map<String, Set<String>> templateRoutes = new TreeMap<>();  // handler class → routes in the template
        functions.forEach((name, props) -> props.path("Events").forEach(event -> {
            if (event.path("Type").asText().equals("HttpApi")) {
                JsonNode p = event.path("Properties");
                templateRoutes.computeIfAbsent(props.path("Handler").asText(), k -> new TreeSet<>())
                        .add(p.path("Method").asText().toUpperCase(java.util.Locale.ROOT) + " " + p.path("Path").asText());
            }
        }));
        Map<String, Set<String>> codeRoutes = new TreeMap<>();  // every HTTP handler in the function modules → ROUTE(S)
        for (String fqn : sources.keySet()) {
            if (!fqn.startsWith("dev.flashsale.") || !isFunctionClass(fqn)) {
                continue;
            }
            Class<?> type = Class.forName(fqn, false, getClass().getClassLoader());
            if (!isHttpHandler(type)) {
                continue;
            }
            Set<String> routes = declaredRoutes(type);
            assertThat(routes).as("%s is an HTTP handler: declare its route(s) as public static final String ROUTE (or String[] ROUTES)", fqn)
                    .isNotEmpty();
            codeRoutes.put(fqn, routes);
        }
        System.out.println("[contract] routes in code: " + codeRoutes);
        assertThat(templateRoutes).as("template routes per handler == routes the handlers declare").isEqualTo(codeRoutes);
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
                if (d.path("Name").asText().equals("FunctionName") && p.path("Namespace").asText().equals("AWS/Lambda")) {
                    alarmed.computeIfAbsent(d.path("Value").path("Ref").asText(), k -> new TreeSet<>()).add(p.path("MetricName").asText());
                }
                if (d.path("Name").asText().equals("QueueName")
                        && p.path("MetricName").asText().equals("ApproximateNumberOfMessagesVisible")) {
                    queues.add(d.path("Value").path("Fn::GetAtt").path(0).asText());
                }
            });
        });
        functions.keySet().forEach(name -> assertThat(alarmed.getOrDefault(name, Set.of())).as("%s alarms", name)
                .contains("Errors", "Throttles"));
        assertThat(queues).as("a DLQ-not-empty alarm").contains("ConfirmDLQ");
    }

    @TestFactory
    Stream<DynamicTest> everyFunctionWithABreaker_logsToAGroupWithTheBreakerOpenedFilter() {
        return functions.keySet().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String group = functions.get(name).path("LoggingConfig").path("LogGroup").path("Ref").asText();
            assertThat(template.path("Resources").path(group).path("Type").asText())
                    .as("%s LoggingConfig.LogGroup is !Ref <a log group of this stack> (retention; no race with Lambda)", name)
                    .isEqualTo("AWS::Logs::LogGroup");
            if (!reach(name).classes().contains("dev.flashsale.resilience.Breakers")) {
                return;
            }
            List<String> patterns = new ArrayList<>();
            template.path("Resources").forEach(r -> {
                if (r.path("Type").asText().equals("AWS::Logs::MetricFilter")
                        && r.path("Properties").path("LogGroupName").path("Ref").asText().equals(group)) {
                    patterns.add(r.path("Properties").path("FilterPattern").asText());
                }
            });
            assertThat(patterns).as("%s uses circuit breakers: a BreakerOpened metric filter on %s", name, group)
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
        java.util.function.Predicate<String> filter = line -> line.contains("circuit breaker") && line.contains("-> OPEN");
        assertThat(filter.test("[main] WARN dev.flashsale.resilience.Breakers - " + opened)).isTrue();
        assertThat(filter.test("{\"level\":\"WARN\",\"message\":\"" + opened + "\"}")).isTrue();
        assertThat(filter.test(halfOpen)).isFalse();
        assertThat(filter.test(forced)).isFalse();
    }

    @TestFactory
    Stream<DynamicTest> everyBuiltFunctionZip_carriesTheBuiltLayersHash() {
        Path layer = root.resolve(template.path("Resources").path("SharedLayer").path("Properties").path("ContentUri").asText());
        Path hash = layer.resolveSibling("flashsale-layer.sha256");
        return functions.entrySet().stream().map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
            Path zip = root.resolve(f.getValue().path("CodeUri").asText());
            assumeTrue(Files.isRegularFile(zip) && Files.isRegularFile(hash), () -> zip + " or " + hash + " not built (run mvn package)");
            try (ZipFile z = new ZipFile(zip.toFile())) {
                var entry = z.getEntry("META-INF/flashsale-layer.sha256");
                assertThat(entry).as("%s carries the layer hash (a layer-only change must change the function zip)", zip).isNotNull();
                try (var in = z.getInputStream(entry)) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                            .as("%s was built with the layer now in %s", zip, layer).isEqualTo(Files.readString(hash).trim());
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
        Process p = new ProcessBuilder(cfnLint.toString(), "template.yaml").directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cfn-lint finished").isTrue();
        assertThat(p.exitValue()).as("cfn-lint template.yaml:%n%s", out).isZero();
    }

    // ---- what the code reaches ----------------------------------------------------------------------------------

    /** What a function's code can reach: the variables it reads (name → Config method) and its AWS calls. */
    private record Reach(Set<String> classes, Map<String, String> reads) {
        boolean sendsToSqs() {
            return classes.contains(SqsConfirmationQueue.class.getName()) && reads.containsKey("CONFIRM_QUEUE_URL");
        }

        boolean opensDbConnections() {
            return classes.contains("dev.flashsale.db.DbConnection") || classes.contains("dev.flashsale.db.Migrations");
        }
    }

    private static Reach reach(String function) {
        String module = moduleDir(function);
        Set<String> seen = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>();
        sources.keySet().stream().filter(fqn -> sourceModule(fqn).equals(module)).forEach(todo::add);
        while (!todo.isEmpty()) {
            String fqn = todo.remove(todo.size() - 1);
            if (!seen.add(fqn)) {
                continue;
            }
            for (String ref : references(fqn)) {
                if (!seen.contains(ref) && (sourceModule(ref).equals(module) || sourceModule(ref).equals("layers/shared"))) {
                    todo.add(ref);
                }
            }
        }
        Map<String, String> reads = new TreeMap<>();
        for (String fqn : seen) {
            Matcher m = CONFIG_READ.matcher(sources.get(fqn));
            while (m.find()) {
                reads.merge(m.group(2), m.group(1), (a, b) -> a.equals("required") ? a : b);
            }
        }
        return new Reach(seen, reads);
    }

    private static Set<String> references(String fqn) {
        String src = sources.get(fqn);
        Set<String> refs = new LinkedHashSet<>();
        Matcher m = IMPORT.matcher(src);
        while (m.find()) {
            String name = m.group(2);
            if (m.group(3) != null) {  // wildcard: the whole package
                sources.keySet().stream().filter(k -> packageOf(k).equals(name)).forEach(refs::add);
            } else if (m.group(1) != null) {  // static import of a member
                refs.add(name.substring(0, name.lastIndexOf('.')));
            } else {
                refs.add(name);
            }
        }
        Matcher q = QUALIFIED.matcher(src);
        while (q.find()) {
            refs.add(q.group());
        }
        String pkg = packageOf(fqn);
        for (String other : sources.keySet()) {
            if (packageOf(other).equals(pkg) && !other.equals(fqn)
                    && Pattern.compile("\\b" + simpleName(other) + "\\b").matcher(src).find()) {
                refs.add(other);
            }
        }
        refs.retainAll(sources.keySet());
        return refs;
    }

    // ---- template values ----------------------------------------------------------------------------------------

    /** The function's environment as the deployed function would see it (blank = unset, as Config treats it). */
    private static Map<String, String> environment(String function) {
        Map<String, String> env = new TreeMap<>();
        functions.get(function).path("Environment").path("Variables").properties().forEach(e -> {
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
                assertThat(parameter.has("Default")).as("%s: parameter %s has a default to check", variable, ref).isTrue();
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
            String s = v.path("Fn::Sub").isArray() ? v.path("Fn::Sub").get(0).asText() : v.path("Fn::Sub").asText();
            s = s.replaceAll("\\{\\{resolve:.*?}}", "Secret0123456789");
            Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String ref = m.group(1);
                String value = ref.endsWith("Port") ? "5432"
                        : template.path("Parameters").has(ref) ? template.path("Parameters").path(ref).path("Default").asText()
                        : ref.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".example.internal";
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

    /** Builds an Init from its (Config[, ConfirmationQueue]) constructor; nothing connects until first use. */
    private static Object construct(Class<?> init, Config config) throws ReflectiveOperationException {
        for (Constructor<?> c : init.getConstructors()) {
            Class<?>[] types = c.getParameterTypes();
            if (types.length == 0 || types[0] != Config.class) {
                continue;
            }
            Object[] args = new Object[types.length];
            args[0] = config;
            for (int i = 1; i < types.length; i++) {
                if (types[i] == ConfirmationQueue.class) {
                    try {
                        args[i] = SqsConfirmationQueue.fromConfig(config);
                    } catch (ConfigException e) {
                        throw new InvocationTargetException(e);
                    }
                } else {
                    throw new AssertionError(init + ": no way to build constructor parameter " + types[i]);
                }
            }
            return c.newInstance(args);
        }
        throw new AssertionError(init + " has no public constructor taking Config first");
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
        for (var t : type.getGenericInterfaces()) {
            if (t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == RequestHandler.class) {
                return p.getActualTypeArguments()[0] == APIGatewayV2HTTPEvent.class;
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
        String module = root.relativize(srcMain.getParent().getParent().getParent()).toString().replace('\\', '/');
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

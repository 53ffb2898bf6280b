package dev.flashsale.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashsale.testing.RepoRoot;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What template.yaml promises and the code must keep: every function is a SnapStart Java function behind an alias whose
 * handler class really exists; every SQS mapping reports partial batch failures from a queue with a DLQ and a safe
 * visibility timeout; the API routes and auth are the documented ones. Function properties are read with the
 * template's Globals merged in, the way SAM merges them.
 */
class TemplateContractTest {

    private static final int LAMBDA_DEFAULT_TIMEOUT = 3;

    private static Path root;
    private static JsonNode template;
    private static Map<String, JsonNode> functions;

    @BeforeAll
    static void readTemplate() throws IOException {
        root = RepoRoot.find();
        template = CfnYaml.read(root.resolve("template.yaml"));
        functions = functions(template);
    }

    /** {@code template}'s functions by logical id, each with the Globals merged into its properties as SAM does. */
    static Map<String, JsonNode> functions(JsonNode template) {
        JsonNode globals = template.path("Globals").path("Function");
        Map<String, JsonNode> functions = new LinkedHashMap<>();
        template.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.put(e.getKey(), merge(globals, e.getValue().path("Properties")));
            }
        });
        return functions;
    }

    @Test
    void template_isSamAndDeclaresFunctions() {
        assertThat(template.path("Transform").asText()).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(functions).as("functions in template.yaml").isNotEmpty();
    }

    /**
     * MERGE-GATED: this is the one assertion that fails on a branch where a function is declared in template.yaml but
     * its module has not been merged yet (query, confirm, release are written in parallel). It is deliberately strict:
     * every declared function's module directory must exist, be a reactor module, and its handler class must be on
     * system-tests' test classpath, be a {@link RequestHandler} with the event types of its triggers, and have the
     * public no-arg constructor the Lambda runtime calls.
     */
    @TestFactory
    Stream<DynamicTest> everyFunction_hasAModuleAndAHandlerClassThatLoads() {
        return functions.entrySet().stream()
                .map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
                    String name = f.getKey();
                    JsonNode props = f.getValue();
                    String handler = props.path("Handler").asText();
                    String codeUri = props.path("CodeUri").asText();
                    assertThat(handler).as("%s Handler", name).isNotBlank();
                    FunctionModule module = FunctionModule.of(name, codeUri);

                    if (!Files.isDirectory(root.resolve(module.dir()))) {
                        fail(
                                "%s: CodeUri %s points into module directory %s, which does not exist in %s. "
                                        + "Merge that module (or remove the function from template.yaml).",
                                name, codeUri, module.dir(), root);
                    }
                    assertThat(Files.readString(root.resolve("pom.xml")))
                            .as(
                                    "%s: %s must be listed in the parent pom's <modules>, or its zip is never built",
                                    name, module.dir())
                            .contains("<module>" + module.dir() + "</module>");

                    Class<?> type;
                    try {
                        type = Class.forName(handler, false, TemplateContractTest.class.getClassLoader());
                    } catch (ClassNotFoundException e) {
                        throw new AssertionError(
                                name + ": module " + module.dir() + " exists but its Handler " + handler
                                        + " is not on system-tests' test classpath. Either the class is missing from the module, or system-tests/pom.xml"
                                        + " lacks the dependency dev.flashsale:" + module.artifactId()
                                        + " (add it, test scope).",
                                e);
                    }
                    assertThat(RequestHandler.class.isAssignableFrom(type))
                            .as("%s: %s implements com.amazonaws.services.lambda.runtime.RequestHandler", name, handler)
                            .isTrue();
                    try {
                        type.getConstructor();
                    } catch (NoSuchMethodException e) {
                        fail(
                                "%s: %s needs a public no-arg constructor; the Lambda runtime creates the handler with it",
                                name, handler);
                    }

                    Type[] io = requestHandlerTypes(type)
                            .orElseThrow(() -> new AssertionError(name + ": " + handler
                                    + " must implement RequestHandler<I, O> with concrete types"));
                    for (JsonNode event : events(props)) {
                        switch (event.path("Type").asText()) {
                            case "HttpApi" ->
                                assertThat(io)
                                        .as("%s: an HttpApi (payload 2.0) handler's RequestHandler types", name)
                                        .containsExactly(APIGatewayV2HTTPEvent.class, APIGatewayV2HTTPResponse.class);
                            case "SQS" ->
                                assertThat(io)
                                        .as(
                                                "%s: with ReportBatchItemFailures the handler must return SQSBatchResponse,"
                                                        + " or failed messages are silently treated as processed",
                                                name)
                                        .containsExactly(SQSEvent.class, SQSBatchResponse.class);
                            default -> {
                                // Schedule: the event is informational; any input type will do
                            }
                        }
                    }
                }));
    }

    /** When the zip has been built (mvn package), the handler class is in it, at the root, where Lambda looks. */
    @TestFactory
    Stream<DynamicTest> everyBuiltFunctionZip_containsItsHandler() {
        return functions.entrySet().stream()
                .map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
                    Path zip = root.resolve(f.getValue().path("CodeUri").asText());
                    assumeTrue(Files.isRegularFile(zip), () -> zip + " not built (run mvn package)");
                    String entry = f.getValue().path("Handler").asText().replace('.', '/') + ".class";
                    try (ZipFile z = new ZipFile(zip.toFile())) {
                        assertThat(z.getEntry(entry))
                                .as("%s contains %s", zip, entry)
                                .isNotNull();
                    }
                }));
    }

    @Test
    void everyFunction_isJava21WithSnapStartOnPublishedVersionsBehindAnAlias() {
        functions.forEach((name, props) -> {
            assertThat(props.path("Runtime").asText()).as("%s Runtime", name).isEqualTo("java21");
            assertThat(props.path("SnapStart").path("ApplyOn").asText())
                    .as("%s SnapStart.ApplyOn", name)
                    .isEqualTo("PublishedVersions");
            assertThat(props.path("AutoPublishAlias").asText())
                    .as(
                            "%s AutoPublishAlias (SnapStart applies to published versions only; events must target the alias)",
                            name)
                    .isNotBlank();
            assertThat(texts(props.path("Layers"))).as("%s Layers", name).contains("Ref:SharedLayer");
        });
    }

    @Test
    void everySqsEvent_reportsBatchItemFailuresFromAQueueWithDlqAndLongEnoughVisibility() {
        int sqsEvents = 0;
        for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
            String name = f.getKey();
            int timeout = f.getValue().path("Timeout").asInt(LAMBDA_DEFAULT_TIMEOUT);
            for (JsonNode event : events(f.getValue())) {
                if (!event.path("Type").asText().equals("SQS")) {
                    continue;
                }
                sqsEvents++;
                JsonNode p = event.path("Properties");
                assertThat(texts(p.path("FunctionResponseTypes")))
                        .as("%s SQS FunctionResponseTypes", name)
                        .contains("ReportBatchItemFailures");

                String queueName = getAttArn(p.path("Queue"))
                        .orElseThrow(() -> new AssertionError(name
                                + ": SQS Queue must be !GetAtt <queue in this template>.Arn, was " + p.path("Queue")));
                JsonNode queue = resource(queueName, "AWS::SQS::Queue");
                JsonNode qp = queue.path("Properties");

                JsonNode redrive = qp.path("RedrivePolicy");
                assertThat(redrive.isObject())
                        .as("%s has a RedrivePolicy", queueName)
                        .isTrue();
                String dlq = getAttArn(redrive.path("deadLetterTargetArn"))
                        .orElseThrow(() ->
                                new AssertionError(queueName + ": deadLetterTargetArn must be !GetAtt <dlq>.Arn"));
                assertThat(dlq).as("%s dead-letter queue", queueName).isNotEqualTo(queueName);
                resource(dlq, "AWS::SQS::Queue");
                assertThat(redrive.path("maxReceiveCount").asInt())
                        .as("%s maxReceiveCount", queueName)
                        .isBetween(1, 1000);

                int window = p.path("MaximumBatchingWindowInSeconds").asInt(0);
                int visibility = qp.path("VisibilityTimeout").asInt(30);
                assertThat(visibility)
                        .as(
                                "%s VisibilityTimeout must be >= 6 x %s Timeout (%d s) + batching window (%d s)",
                                queueName, name, timeout, window)
                        .isGreaterThanOrEqualTo(6 * timeout + window);

                // A message failing while the database is down renews its hold's claim at each delivery: the claim must
                // outlive the time until the next delivery, or the release job could settle a pending reservation.
                String claimTtl = f.getValue()
                        .path("Environment")
                        .path("Variables")
                        .path("CLAIM_TTL")
                        .asText("");
                assertThat(claimTtl).as("%s sets CLAIM_TTL", name).isNotEmpty();
                assertThat(dev.flashsale.config.Config.of(Map.of("CLAIM_TTL", claimTtl))
                                .duration(
                                        "CLAIM_TTL",
                                        java.time.Duration.ZERO,
                                        java.time.Duration.ZERO,
                                        java.time.Duration.ofDays(1))
                                .toSeconds())
                        .as(
                                "%s CLAIM_TTL must exceed %s VisibilityTimeout (%d s) + batching window",
                                name, queueName, visibility)
                        .isGreaterThan(visibility + window);
            }
        }
        assertThat(sqsEvents).as("SQS event sources").isPositive();
    }

    @Test
    void reserveFunction_isRoutedAt_POST_salesSaleIdReservations_only() {
        JsonNode reserve = function("ReserveFunction");
        List<String> routes = new ArrayList<>();
        for (JsonNode event : events(reserve)) {
            if (event.path("Type").asText().equals("HttpApi")) {
                routes.add(route(event));
            }
        }
        assertThat(routes).containsExactly("POST /sales/{saleId}/reservations");
        assertThat(reserve.path("Handler").asText()).isEqualTo("dev.flashsale.reserve.ReserveInvoker");
    }

    @Test
    void reserveFunction_sendsToTheQueueTheConfirmFunctionReads_andNeverRunsInDevMode() {
        JsonNode env = function("ReserveFunction").path("Environment").path("Variables");
        assertThat(env.path("DEV_MODE").asText())
                .as("DEV_MODE lets X-Buyer-Id stand in for the JWT subject")
                .isEqualTo("false");
        String queue = env.path("CONFIRM_QUEUE_URL").path("Ref").asText();
        assertThat(queue).as("CONFIRM_QUEUE_URL is !Ref <queue>").isNotBlank();
        resource(queue, "AWS::SQS::Queue");

        List<String> consumed = new ArrayList<>();
        for (JsonNode event : events(function("ConfirmFunction"))) {
            if (event.path("Type").asText().equals("SQS")) {
                getAttArn(event.path("Properties").path("Queue")).ifPresent(consumed::add);
            }
        }
        assertThat(consumed).as("queues ConfirmFunction consumes").containsExactly(queue);
    }

    @Test
    void everyHttpApiRoute_isUniqueOnTheJwtAuthorizedApi() {
        Map<String, String> owners = new LinkedHashMap<>();
        functions.forEach((name, props) -> {
            for (JsonNode event : events(props)) {
                if (!event.path("Type").asText().equals("HttpApi")) {
                    continue;
                }
                JsonNode p = event.path("Properties");
                String api = p.path("ApiId").path("Ref").asText();
                assertThat(api).as("%s HttpApi event ApiId is !Ref <api>", name).isNotBlank();
                JsonNode auth = resource(api, "AWS::Serverless::HttpApi")
                        .path("Properties")
                        .path("Auth");
                String authorizer = auth.path("DefaultAuthorizer").asText();
                assertThat(auth.path("Authorizers")
                                .path(authorizer)
                                .path("JwtConfiguration")
                                .isObject())
                        .as(
                                "%s's default authorizer '%s' is a JWT authorizer (the buyer is the token's sub)",
                                api, authorizer)
                        .isTrue();
                // a route without the JWT authorizer (NONE) must be declared public by its handler:
                // TemplateCodeContractTest.publicRoutes_areExactlyTheOnesTheirHandlersDeclarePublic
                String version = p.path("PayloadFormatVersion").asText("2.0");
                assertThat(version)
                        .as("%s payload format (the invokers read APIGatewayV2HTTPEvent)", name)
                        .isEqualTo("2.0");
                String route = route(event);
                String previous = owners.put(route, name);
                assertThat(previous)
                        .as("route %s is declared by %s and %s", route, previous, name)
                        .isNull();
            }
        });
        assertThat(owners)
                .containsEntry("GET /sales/{saleId}/reservations/{reservationId}", "ReservationQueryFunction");
    }

    // ---- template helpers -------------------------------------------------------------------------------------------

    private static JsonNode resource(String name, String type) {
        JsonNode r = template.path("Resources").path(name);
        assertThat(r.path("Type").asText()).as("resource %s type", name).isEqualTo(type);
        return r;
    }

    private static JsonNode function(String name) {
        JsonNode f = functions.get(name);
        assertThat(f).as("function %s in template.yaml", name).isNotNull();
        return f;
    }

    private static List<JsonNode> events(JsonNode props) {
        List<JsonNode> list = new ArrayList<>();
        props.path("Events").forEach(list::add);
        return list;
    }

    private static String route(JsonNode httpApiEvent) {
        JsonNode p = httpApiEvent.path("Properties");
        return p.path("Method").asText().toUpperCase(java.util.Locale.ROOT) + " "
                + p.path("Path").asText();
    }

    /** {@code !GetAtt X.Arn} → X. */
    private static Optional<String> getAttArn(JsonNode value) {
        JsonNode getAtt = value.path("Fn::GetAtt");
        if (getAtt.isArray() && getAtt.size() == 2 && getAtt.get(1).asText().equals("Arn")) {
            return Optional.of(getAtt.get(0).asText());
        }
        return Optional.empty();
    }

    /** A list's items as text; {@code !Ref X} becomes {@code "Ref:X"}. */
    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.has("Ref") ? "Ref:" + n.path("Ref").asText() : n.asText()));
        return out;
    }

    /**
     * SAM's Globals merge: maps are merged key by key (the function's value wins), lists are concatenated (globals
     * first), anything else, and intrinsic functions, are replaced by the function's value.
     */
    static JsonNode merge(JsonNode global, JsonNode local) {
        if (global.isMissingNode() || global.isNull()) {
            return local.deepCopy();
        }
        if (local.isMissingNode() || local.isNull()) {
            return global.deepCopy();
        }
        if (global.isObject() && local.isObject() && !isIntrinsic(global) && !isIntrinsic(local)) {
            ObjectNode merged = ((ObjectNode) global).deepCopy();
            for (Iterator<Map.Entry<String, JsonNode>> it = local.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                merged.set(e.getKey(), merge(global.path(e.getKey()), e.getValue()));
            }
            return merged;
        }
        if (global.isArray() && local.isArray()) {
            ArrayNode merged = ((ArrayNode) global).deepCopy();
            local.forEach(n -> merged.add(n.deepCopy()));
            return merged;
        }
        return local.deepCopy();
    }

    private static boolean isIntrinsic(JsonNode node) {
        if (node.size() != 1) {
            return false;
        }
        String key = node.fieldNames().next();
        return key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::");
    }

    // ---- handler helpers --------------------------------------------------------------------------------------------

    /** The concrete {@code <I, O>} of RequestHandler as implemented by {@code type} or a superclass. */
    private static Optional<Type[]> requestHandlerTypes(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    Type[] args = p.getActualTypeArguments();
                    for (Type a : args) {
                        if (!(a instanceof Class<?>) && !(a instanceof ParameterizedType)) {
                            return Optional.empty();
                        }
                    }
                    return Optional.of(args);
                }
            }
        }
        return Optional.empty();
    }

    /** The Maven module a function's CodeUri points into: {@code functions/reserve/target/reserve-function.zip}. */
    private record FunctionModule(String dir, String artifactId) {
        static FunctionModule of(String function, String codeUri) {
            int target = codeUri.indexOf("/target/");
            if (target <= 0 || !codeUri.endsWith(".zip")) {
                throw new AssertionError(
                        function + ": CodeUri must be <module>/target/<artifactId>.zip (built by mvn package), was '"
                                + codeUri + "'");
            }
            String zip = codeUri.substring(codeUri.lastIndexOf('/') + 1);
            return new FunctionModule(codeUri.substring(0, target), zip.substring(0, zip.length() - ".zip".length()));
        }
    }
}

package dev.flashsale.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.flashsale.template.CfnYaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the local runner needs from a SAM template: parameters, conditions, the global and per-function environment
 * (still with their intrinsics), every {@code AWS::Serverless::Function} with its handler, timeout and events (HttpApi,
 * SQS, Schedule), and every {@code AWS::SQS::Queue}.
 */
public record SamTemplate(
        Path file,
        Map<String, Parameter> parameters,
        Map<String, JsonNode> conditions,
        Map<String, JsonNode> globalVariables,
        Map<String, FunctionSpec> functions,
        Map<String, QueueSpec> queues) {

    /** SAM's default when neither the function nor Globals set {@code Timeout}. */
    static final int DEFAULT_TIMEOUT_SECONDS = 3;

    /** A template parameter; {@code defaultValue} is empty when it has none. */
    public record Parameter(String name, String type, Optional<String> defaultValue) {}

    public record FunctionSpec(
            String logicalId,
            String handler,
            int timeoutSeconds,
            Map<String, JsonNode> variables,
            List<HttpRoute> routes,
            List<SqsMapping> sqsMappings,
            List<ScheduleSpec> schedules) {

        /** Whether anything the runner drives (a route, a queue, a schedule) invokes it. */
        public boolean triggered() {
            return !routes.isEmpty() || !sqsMappings.isEmpty() || !schedules.isEmpty();
        }
    }

    /** An {@code HttpApi} event: {@code METHOD /path/{param}}; {@code ANY} matches every method. */
    /** @param iamAuth the route's authorizer is {@code AWS_IAM} (admin routes), not the API's JWT authorizer */
    public record HttpRoute(String functionId, String eventName, String method, String path, boolean iamAuth) {

        public String routeKey() {
            return method + " " + path;
        }
    }

    /** An {@code SQS} event source mapping. */
    public record SqsMapping(
            String functionId,
            String eventName,
            String queueId,
            int batchSize,
            int batchingWindowSeconds,
            boolean reportBatchItemFailures,
            int maximumConcurrency) {}

    /** A {@code Schedule} (or {@code ScheduleV2}) event. */
    public record ScheduleSpec(String functionId, String eventName, String expression, boolean enabled) {}

    /** An {@code AWS::SQS::Queue}; {@code deadLetterQueueId} is empty without a {@code RedrivePolicy}. */
    public record QueueSpec(
            String logicalId, int visibilityTimeoutSeconds, Optional<String> deadLetterQueueId, int maxReceiveCount) {}

    public static SamTemplate read(Path file) {
        JsonNode root;
        try {
            root = CfnYaml.read(file);
        } catch (IOException e) {
            throw new TemplateException("cannot read " + file + ": " + e.getMessage());
        }
        return of(file, root);
    }

    static SamTemplate of(Path file, JsonNode root) {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> p : entries(root.path("Parameters"))) {
            JsonNode d = p.getValue().path("Default");
            parameters.put(
                    p.getKey(),
                    new Parameter(
                            p.getKey(),
                            p.getValue().path("Type").asText("String"),
                            d.isMissingNode() || d.isNull() ? Optional.empty() : Optional.of(scalar(d))));
        }
        JsonNode globals = root.path("Globals").path("Function");
        Map<String, JsonNode> globalVariables = map(globals.path("Environment").path("Variables"));
        int globalTimeout = globals.path("Timeout").asInt(DEFAULT_TIMEOUT_SECONDS);

        Map<String, FunctionSpec> functions = new LinkedHashMap<>();
        Map<String, QueueSpec> queues = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> r : entries(root.path("Resources"))) {
            String id = r.getKey();
            JsonNode props = r.getValue().path("Properties");
            switch (r.getValue().path("Type").asText()) {
                case "AWS::Serverless::Function" -> functions.put(id, function(id, props, globalTimeout));
                case "AWS::SQS::Queue" -> queues.put(id, queue(id, props));
                default -> {}
            }
        }
        SamTemplate t = new SamTemplate(
                file, Map.copyOf(parameters), map(root.path("Conditions")), globalVariables, functions, queues);
        t.validate();
        return t;
    }

    private static FunctionSpec function(String id, JsonNode props, int globalTimeout) {
        String handler = props.path("Handler").asText("");
        if (handler.isEmpty()) {
            throw new TemplateException(id + " has no Handler");
        }
        List<HttpRoute> routes = new ArrayList<>();
        List<SqsMapping> sqs = new ArrayList<>();
        List<ScheduleSpec> schedules = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : entries(props.path("Events"))) {
            String name = e.getKey();
            JsonNode p = e.getValue().path("Properties");
            switch (e.getValue().path("Type").asText()) {
                case "HttpApi" ->
                    routes.add(new HttpRoute(
                            id,
                            name,
                            p.path("Method").asText("ANY").toUpperCase(Locale.ROOT),
                            p.path("Path").asText("$default"),
                            "AWS_IAM".equals(p.path("Auth").path("Authorizer").asText())));
                case "SQS" ->
                    sqs.add(new SqsMapping(
                            id,
                            name,
                            queueRef(id, name, p.path("Queue")),
                            p.path("BatchSize").asInt(10),
                            p.path("MaximumBatchingWindowInSeconds").asInt(0),
                            contains(p.path("FunctionResponseTypes"), "ReportBatchItemFailures"),
                            p.path("ScalingConfig").path("MaximumConcurrency").isInt()
                                    ? p.path("ScalingConfig")
                                            .path("MaximumConcurrency")
                                            .asInt()
                                    : 1000));
                case "Schedule", "ScheduleV2" ->
                    schedules.add(new ScheduleSpec(
                            id,
                            name,
                            p.path("Schedule").isMissingNode()
                                    ? p.path("ScheduleExpression").asText()
                                    : p.path("Schedule").asText(),
                            p.path("Enabled").asBoolean(true)
                                    && !"DISABLED".equals(p.path("State").asText("ENABLED"))));
                default -> {} // other event types are not run locally
            }
        }
        return new FunctionSpec(
                id,
                handler,
                props.path("Timeout").asInt(globalTimeout),
                map(props.path("Environment").path("Variables")),
                List.copyOf(routes),
                List.copyOf(sqs),
                List.copyOf(schedules));
    }

    private static QueueSpec queue(String id, JsonNode props) {
        JsonNode redrive = props.path("RedrivePolicy");
        Optional<String> dlq = Optional.empty();
        int maxReceive = 0;
        if (!redrive.isMissingNode()) {
            dlq = Optional.of(getAttTarget(id, "RedrivePolicy", redrive.path("deadLetterTargetArn")));
            maxReceive = redrive.path("maxReceiveCount").asInt(0);
            if (maxReceive < 1) {
                throw new TemplateException(id + ": RedrivePolicy.maxReceiveCount must be a positive integer");
            }
        }
        return new QueueSpec(id, props.path("VisibilityTimeout").asInt(30), dlq, maxReceive);
    }

    private void validate() {
        for (FunctionSpec f : functions.values()) {
            for (SqsMapping m : f.sqsMappings()) {
                if (!queues.containsKey(m.queueId())) {
                    throw new TemplateException(f.logicalId() + "." + m.eventName() + " reads queue " + m.queueId()
                            + ", which is not an AWS::SQS::Queue of this template");
                }
            }
        }
        for (QueueSpec q : queues.values()) {
            if (q.deadLetterQueueId().isPresent()
                    && !queues.containsKey(q.deadLetterQueueId().get())) {
                throw new TemplateException(q.logicalId() + "'s dead-letter queue "
                        + q.deadLetterQueueId().get() + " is not in this template");
            }
        }
    }

    public List<HttpRoute> routes() {
        return functions.values().stream().flatMap(f -> f.routes().stream()).toList();
    }

    public List<SqsMapping> sqsMappings() {
        return functions.values().stream()
                .flatMap(f -> f.sqsMappings().stream())
                .toList();
    }

    public List<ScheduleSpec> schedules() {
        return functions.values().stream().flatMap(f -> f.schedules().stream()).toList();
    }

    /** The queue a mapping reads: {@code !GetAtt Queue.Arn} (the only form a local run can follow). */
    private static String queueRef(String function, String event, JsonNode ref) {
        return getAttTarget(function, "Events." + event + ".Queue", ref);
    }

    private static String getAttTarget(String owner, String where, JsonNode ref) {
        JsonNode att = ref.path("Fn::GetAtt");
        if (att.isArray() && att.size() == 2 && "Arn".equals(att.get(1).asText())) {
            return att.get(0).asText();
        }
        throw new TemplateException(owner + "." + where
                + " must be !GetAtt <Queue>.Arn of a queue in this template to run locally, was " + ref);
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }

    static String scalar(JsonNode n) {
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(e.asText()));
            return String.join(",", parts);
        }
        return n.asText();
    }

    private static Map<String, JsonNode> map(JsonNode object) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(object)) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static Iterable<Map.Entry<String, JsonNode>> entries(JsonNode object) {
        if (object == null || object instanceof MissingNode || !object.isObject()) {
            return List.of();
        }
        return object.properties();
    }
}

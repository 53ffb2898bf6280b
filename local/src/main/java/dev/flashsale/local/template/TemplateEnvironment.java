package dev.flashsale.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A function's environment as Lambda would see it, computed from the template for this machine: {@code Globals}
 * variables, then the function's own, each intrinsic resolved ({@code !Ref} of a parameter → its default, of a queue →
 * its local URL; {@code !GetAtt Queue.Arn|QueueName|QueueUrl}; {@code !Sub} of those and of pseudo parameters;
 * {@code !If} by its condition, evaluated with the parameters' defaults: {@code !Equals}, {@code !Not}, {@code !And},
 * {@code !Or}, {@code Condition}; a branch that is {@code AWS::NoValue} leaves the variable unset), then the local
 * overrides on top. A value that cannot be resolved here (a parameter without default, a
 * {@code {{resolve:...}}} dynamic reference) is left out and reported, unless an override supplies it.
 */
public final class TemplateEnvironment {

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    /** @param unresolved variables the template sets but this machine cannot compute, and no override supplies */
    public record Resolved(Map<String, String> variables, List<String> unresolved) {}

    private final SamTemplate template;
    private final LocalResources resources;

    public TemplateEnvironment(SamTemplate template, LocalResources resources) {
        this.template = template;
        this.resources = resources;
    }

    public Resolved forFunction(String functionId, Map<String, String> overrides) {
        SamTemplate.FunctionSpec f = template.functions().get(functionId);
        if (f == null) {
            throw new TemplateException("no function " + functionId + " in " + template.file());
        }
        Map<String, JsonNode> raw = new LinkedHashMap<>(template.globalVariables());
        raw.putAll(f.variables());
        Map<String, String> vars = new LinkedHashMap<>();
        List<String> unresolved = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : raw.entrySet()) {
            Optional<JsonNode> chosen = chosen(e.getValue());
            if (chosen.isPresent() && isNoValue(chosen.get())) {
                continue;
            }
            Optional<String> v = chosen.flatMap(this::resolve);
            if (v.isPresent()) {
                vars.put(e.getKey(), v.get());
            } else if (!overrides.containsKey(e.getKey())) {
                unresolved.add(e.getKey());
            }
        }
        vars.putAll(overrides);
        return new Resolved(vars, List.copyOf(unresolved));
    }

    /** The branch an {@code !If} (however nested) takes here; the value itself when it is none; empty when unknown. */
    private Optional<JsonNode> chosen(JsonNode value) {
        JsonNode f = value.path("Fn::If");
        if (!(value.isObject() && value.size() == 1 && f.isArray() && f.size() == 3)) {
            return Optional.of(value);
        }
        return condition(f.get(0).asText(), 0).flatMap(c -> chosen(f.get(c ? 1 : 2)));
    }

    /** A named condition's value with the parameters' defaults; empty when it depends on something unknown here. */
    private Optional<Boolean> condition(String name, int depth) {
        JsonNode c = template.conditions().get(name);
        return c == null || depth > template.conditions().size() ? Optional.empty() : evaluate(c, depth + 1);
    }

    private Optional<Boolean> evaluate(JsonNode c, int depth) {
        if (c.has("Condition")) {
            return condition(c.get("Condition").asText(), depth);
        }
        JsonNode args = c.path(c.fieldNames().hasNext() ? c.fieldNames().next() : "");
        if (c.has("Fn::Equals") && args.size() == 2) {
            Optional<String> a = chosen(args.get(0)).flatMap(this::resolve);
            Optional<String> b = chosen(args.get(1)).flatMap(this::resolve);
            return a.isPresent() && b.isPresent() ? Optional.of(a.get().equals(b.get())) : Optional.empty();
        }
        if (c.has("Fn::Not") && args.size() == 1) {
            return evaluate(args.get(0), depth).map(v -> !v);
        }
        if (c.has("Fn::And") || c.has("Fn::Or")) {
            boolean and = c.has("Fn::And");
            for (JsonNode part : args) {
                Optional<Boolean> v = evaluate(part, depth);
                if (v.isEmpty()) {
                    return Optional.empty();
                }
                if (v.get() != and) {
                    return Optional.of(!and);
                }
            }
            return Optional.of(and);
        }
        return Optional.empty();
    }

    /** The value of one template expression on this machine, empty when it has none here. */
    public Optional<String> resolve(JsonNode value) {
        if (value.isValueNode()) {
            return value.isNull() ? Optional.empty() : Optional.of(value.asText());
        }
        if (value.isObject() && value.size() == 1) {
            if (value.has("Ref")) {
                return ref(value.get("Ref").asText());
            }
            if (value.has("Fn::GetAtt")) {
                JsonNode a = value.get("Fn::GetAtt");
                return a.isArray() && a.size() == 2
                        ? getAtt(a.get(0).asText(), a.get(1).asText())
                        : Optional.empty();
            }
            if (value.has("Fn::Sub")) {
                return sub(value.get("Fn::Sub"));
            }
            if (value.has("Fn::If")) {
                return chosen(value).filter(v -> v != value && !isNoValue(v)).flatMap(this::resolve);
            }
        }
        return Optional.empty();
    }

    private Optional<String> ref(String name) {
        switch (name) {
            case "AWS::Region":
                return Optional.of(resources.region());
            case "AWS::AccountId":
                return Optional.of(LocalResources.ACCOUNT_ID);
            case "AWS::StackName":
                return Optional.of(LocalResources.STACK_NAME);
            case "AWS::Partition":
                return Optional.of("aws");
            case "AWS::URLSuffix":
                return Optional.of("amazonaws.com");
            default:
                break;
        }
        SamTemplate.Parameter p = template.parameters().get(name);
        if (p != null) {
            return p.defaultValue();
        }
        if (template.queues().containsKey(name)) {
            return Optional.of(resources.queueUrl(name));
        }
        return Optional.empty();
    }

    private Optional<String> getAtt(String resource, String attribute) {
        if (!template.queues().containsKey(resource)) {
            return Optional.empty();
        }
        return switch (attribute) {
            case "Arn" -> Optional.of(resources.queueArn(resource));
            case "QueueName" -> Optional.of(resources.queueName(resource));
            case "QueueUrl" -> Optional.of(resources.queueUrl(resource));
            default -> Optional.empty();
        };
    }

    private Optional<String> sub(JsonNode sub) {
        String text;
        Map<String, JsonNode> locals = new LinkedHashMap<>();
        if (sub.isTextual()) {
            text = sub.asText();
        } else if (sub.isArray() && sub.size() == 2 && sub.get(0).isTextual()) {
            text = sub.get(0).asText();
            sub.get(1).properties().forEach(e -> locals.put(e.getKey(), e.getValue()));
        } else {
            return Optional.empty();
        }
        if (text.contains("{{resolve:")) {
            return Optional.empty(); // a dynamic reference (Secrets Manager, SSM): only CloudFormation can read it
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Optional<String> v;
            if (name.startsWith("!")) {
                v = Optional.of("${" + name.substring(1) + "}");
            } else if (locals.containsKey(name)) {
                v = resolve(locals.get(name));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                v = getAtt(name.substring(0, dot), name.substring(dot + 1));
            } else {
                v = ref(name);
            }
            if (v.isEmpty()) {
                return Optional.empty();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v.get()));
        }
        m.appendTail(out);
        return Optional.of(out.toString());
    }

    private static boolean isNoValue(JsonNode value) {
        return value.isObject()
                && value.size() == 1
                && "AWS::NoValue".equals(value.path("Ref").asText());
    }
}

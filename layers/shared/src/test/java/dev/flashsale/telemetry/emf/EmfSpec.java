package dev.flashsale.telemetry.emf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks one log line against the CloudWatch embedded metric format specification's required structure, member by
 * member, and returns the metrics it defines. What is checked (the specification's MUSTs and its JSON schema):
 * <ul>
 *   <li>the line is exactly one JSON object, at most 256 KB, ending in one newline;</li>
 *   <li>{@code _aws} is an object with exactly {@code Timestamp} (integer epoch milliseconds) and
 *       {@code CloudWatchMetrics} (a non-empty array of MetricDirectives);</li>
 *   <li>a MetricDirective has exactly {@code Namespace} (1..255 characters), {@code Dimensions} (at least one
 *       DimensionSet: an array of at most 9 dimension names of 1..255 characters, each a root member with a string
 *       value) and {@code Metrics} (1..100 MetricDefinitions);</li>
 *   <li>a MetricDefinition has a {@code Name} (1..255 characters) naming a root member that is a number or an array
 *       of 1..100 numbers, and may have a {@code Unit} from the specification's list and a {@code StorageResolution}
 *       of 1 or 60, nothing else;</li>
 *   <li>no metric target is also a dimension target.</li>
 * </ul>
 */
public final class EmfSpec {

    /** The specification's units (its JSON schema's pattern). */
    public static final Set<String> UNITS = Set.of(
            "Seconds",
            "Microseconds",
            "Milliseconds",
            "Bytes",
            "Kilobytes",
            "Megabytes",
            "Gigabytes",
            "Terabytes",
            "Bits",
            "Kilobits",
            "Megabits",
            "Gigabits",
            "Terabits",
            "Percent",
            "Count",
            "Bytes/Second",
            "Kilobytes/Second",
            "Megabytes/Second",
            "Gigabytes/Second",
            "Terabytes/Second",
            "Bits/Second",
            "Kilobits/Second",
            "Megabits/Second",
            "Gigabits/Second",
            "Terabits/Second",
            "Count/Second",
            "None");

    /** One metric of a document: where it goes (namespace, dimensions), when, and its values. */
    public record Metric(
            String namespace,
            String name,
            String unit,
            Map<String, String> dimensions,
            List<Double> values,
            long timestamp) {
        public double sum() {
            return values.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    private EmfSpec() {}

    /** Every metric of every line, each line checked. */
    public static List<Metric> metrics(List<String> lines) {
        List<Metric> all = new ArrayList<>();
        lines.forEach(l -> all.addAll(validate(l)));
        return all;
    }

    @SuppressWarnings("unchecked")
    public static List<Metric> validate(String line) {
        assertThat(line).as("an EMF line ends with one newline").endsWith("\n");
        String json = line.substring(0, line.length() - 1);
        assertThat(json).as("one line").doesNotContain("\n");
        assertThat(json.getBytes(StandardCharsets.UTF_8).length)
                .as("an EMF document is at most 256 KB")
                .isLessThanOrEqualTo(256 * 1024);
        Map<String, Object> root = Json.readObject(json); // exactly one object, nothing before or after

        assertThat(root.get("_aws")).as("_aws is an object").isInstanceOf(Map.class);
        Map<String, Object> aws = (Map<String, Object>) root.get("_aws");
        assertThat(aws.keySet()).as("_aws members").containsExactlyInAnyOrder("Timestamp", "CloudWatchMetrics");
        assertThat(aws.get("Timestamp")).as("Timestamp is an integer").isInstanceOfAny(Integer.class, Long.class);
        long timestamp = ((Number) aws.get("Timestamp")).longValue();
        assertThat(timestamp).as("Timestamp is epoch milliseconds").isBetween(1_577_836_800_000L, 4_102_444_800_000L);
        assertThat(aws.get("CloudWatchMetrics"))
                .as("CloudWatchMetrics is an array")
                .isInstanceOf(List.class);
        List<Object> directives = (List<Object>) aws.get("CloudWatchMetrics");
        assertThat(directives).as("MetricDirectives").isNotEmpty();

        List<Metric> metrics = new ArrayList<>();
        for (Object d : directives) {
            assertThat(d).as("a MetricDirective is an object").isInstanceOf(Map.class);
            Map<String, Object> directive = (Map<String, Object>) d;
            assertThat(directive.keySet())
                    .as("MetricDirective members")
                    .containsExactlyInAnyOrder("Namespace", "Dimensions", "Metrics");
            String namespace = name(directive.get("Namespace"), "Namespace");

            assertThat(directive.get("Dimensions")).as("Dimensions is an array").isInstanceOf(List.class);
            List<Object> sets = (List<Object>) directive.get("Dimensions");
            assertThat(sets).as("at least one DimensionSet").isNotEmpty();
            List<List<String>> dimensionSets = new ArrayList<>();
            for (Object set : sets) {
                assertThat(set).as("a DimensionSet is an array").isInstanceOf(List.class);
                List<Object> keys = (List<Object>) set;
                assertThat(keys).as("a DimensionSet has at most 9 keys").hasSizeLessThanOrEqualTo(9);
                List<String> names = new ArrayList<>();
                for (Object k : keys) {
                    String key = name(k, "dimension name");
                    assertThat(root.get(key))
                            .as("dimension %s is a root member with a string value", key)
                            .isInstanceOf(String.class);
                    assertThat((String) root.get(key))
                            .as("dimension %s value", key)
                            .isNotEmpty();
                    names.add(key);
                }
                dimensionSets.add(names);
            }

            assertThat(directive.get("Metrics")).as("Metrics is an array").isInstanceOf(List.class);
            List<Object> definitions = (List<Object>) directive.get("Metrics");
            assertThat(definitions)
                    .as("1 to 100 MetricDefinitions")
                    .isNotEmpty()
                    .hasSizeLessThanOrEqualTo(100);
            for (Object m : definitions) {
                assertThat(m).as("a MetricDefinition is an object").isInstanceOf(Map.class);
                Map<String, Object> definition = (Map<String, Object>) m;
                assertThat(definition.keySet())
                        .as("MetricDefinition members")
                        .contains("Name")
                        .isSubsetOf("Name", "Unit", "StorageResolution");
                String name = name(definition.get("Name"), "metric Name");
                String unit = definition.containsKey("Unit") ? (String) definition.get("Unit") : "None";
                assertThat(UNITS).as("Unit of %s", name).contains(unit);
                if (definition.containsKey("StorageResolution")) {
                    assertThat(((Number) definition.get("StorageResolution")).intValue())
                            .isIn(1, 60);
                }
                dimensionSets.forEach(set -> assertThat(set)
                        .as("%s is a metric, not a dimension", name)
                        .doesNotContain(name));
                List<Double> values = values(root.get(name), name);
                for (List<String> set : dimensionSets) {
                    Map<String, String> dimensions = new TreeMap<>();
                    set.forEach(k -> dimensions.put(k, (String) root.get(k)));
                    metrics.add(new Metric(namespace, name, unit, dimensions, values, timestamp));
                }
            }
        }
        return metrics;
    }

    private static String name(Object value, String what) {
        assertThat(value).as("%s is a string", what).isInstanceOf(String.class);
        assertThat((String) value).as(what).hasSizeBetween(1, 255);
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Double> values(Object target, String name) {
        assertThat(target)
                .as("metric %s is a root member: a number or an array of numbers", name)
                .isInstanceOfAny(Number.class, List.class);
        if (target instanceof Number n) {
            return List.of(n.doubleValue());
        }
        List<Object> array = (List<Object>) target;
        assertThat(array).as("metric %s has 1 to 100 values", name).isNotEmpty().hasSizeLessThanOrEqualTo(100);
        List<Double> values = new ArrayList<>();
        array.forEach(v -> {
            assertThat(v).as("a value of %s is a number", name).isInstanceOf(Number.class);
            values.add(((Number) v).doubleValue());
        });
        return values;
    }

    /** Sums each metric's values by its dimension values, e.g. {@code flashsale.reservations} by {@code outcome}. */
    public static Map<String, Double> sumBy(List<Metric> metrics, String name, String dimension) {
        Map<String, Double> sums = new LinkedHashMap<>();
        metrics.stream()
                .filter(m -> m.name().equals(name))
                .forEach(m -> sums.merge(m.dimensions().get(dimension), m.sum(), Double::sum));
        return sums;
    }
}

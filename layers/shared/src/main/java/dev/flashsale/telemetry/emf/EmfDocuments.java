package dev.flashsale.telemetry.emf;

import dev.flashsale.json.Json;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenTelemetry metric points as CloudWatch embedded metric format documents. The points that share their attributes
 * share a document: its one dimension set is their attribute keys, each attribute is a root member holding the
 * dimension's value, and each metric is a root member holding its value (a counter's delta, a gauge's last value) or
 * its array of values (a histogram's, see {@link DistributionValues}).
 *
 * <p>The specification's limits are kept: at most {@value #MAX_METRICS} metric definitions per directive and
 * {@value #MAX_VALUES} values per array (a longer distribution continues in further documents), at most
 * {@value #MAX_DIMENSIONS} dimension keys per set (the specification's original bound; CloudWatch now accepts 30),
 * attributes beyond that are written as plain members. Zero counters, and values JSON cannot carry (NaN, infinities),
 * are left out.
 */
final class EmfDocuments {

    static final int MAX_METRICS = 100;
    static final int MAX_VALUES = 100;
    static final int MAX_DIMENSIONS = 9;
    private static final String SDK_SCOPE = "io.opentelemetry.";

    private EmfDocuments() {}

    /** One JSON text (without newline) per document, in the order the metrics came. */
    static List<String> render(String namespace, Collection<MetricData> metrics, long timestampMillis) {
        Map<Attributes, List<Item>> groups = new LinkedHashMap<>();
        for (MetricData m : metrics) {
            if (m.getInstrumentationScopeInfo().getName().startsWith(SDK_SCOPE)) {
                continue; // the SDK's measurements of itself (its reader's collection time): not worth a custom metric
            }
            String unit = unit(m);
            switch (m.getType()) {
                case LONG_SUM ->
                    m.getLongSumData().getPoints().forEach(p -> {
                        if (p.getValue() != 0) {
                            add(groups, p, new Item(m.getName(), unit, p.getValue()));
                        }
                    });
                case DOUBLE_SUM ->
                    m.getDoubleSumData().getPoints().forEach(p -> {
                        if (p.getValue() != 0 && Double.isFinite(p.getValue())) {
                            add(groups, p, new Item(m.getName(), unit, p.getValue()));
                        }
                    });
                case LONG_GAUGE ->
                    m.getLongGaugeData()
                            .getPoints()
                            .forEach((LongPointData p) -> add(groups, p, new Item(m.getName(), unit, p.getValue())));
                case DOUBLE_GAUGE ->
                    m.getDoubleGaugeData().getPoints().forEach((DoublePointData p) -> {
                        if (Double.isFinite(p.getValue())) {
                            add(groups, p, new Item(m.getName(), unit, p.getValue()));
                        }
                    });
                case HISTOGRAM ->
                    m.getHistogramData()
                            .getPoints()
                            .forEach(p -> addSlices(groups, p, m.getName(), unit, DistributionValues.of(p)));
                case EXPONENTIAL_HISTOGRAM ->
                    m.getExponentialHistogramData()
                            .getPoints()
                            .forEach(p -> addSlices(groups, p, m.getName(), unit, DistributionValues.of(p)));
                default -> {
                    // summaries: nothing in this code base records one
                }
            }
        }
        List<String> out = new ArrayList<>();
        groups.forEach((attributes, items) -> {
            for (List<Item> document : pack(attributes, items)) {
                out.add(Json.write(document(namespace, timestampMillis, attributes, document)));
            }
        });
        return out;
    }

    /** One metric's value in one document: a number, or up to {@value #MAX_VALUES} numbers. */
    private record Item(String name, String unit, Object value) {}

    private static void add(Map<Attributes, List<Item>> groups, PointData point, Item item) {
        groups.computeIfAbsent(point.getAttributes(), a -> new ArrayList<>()).add(item);
    }

    private static void addSlices(
            Map<Attributes, List<Item>> groups, PointData point, String name, String unit, List<Double> values) {
        for (int from = 0; from < values.size(); from += MAX_VALUES) {
            add(
                    groups,
                    point,
                    new Item(
                            name, unit, List.copyOf(values.subList(from, Math.min(values.size(), from + MAX_VALUES)))));
        }
    }

    /**
     * Items into documents: each document names a metric once and at most {@value #MAX_METRICS} metrics, and no metric
     * may take the name of a dimension (both are root members).
     */
    private static List<List<Item>> pack(Attributes attributes, List<Item> items) {
        List<List<Item>> documents = new ArrayList<>();
        for (Item item : items) {
            if (attributes.asMap().keySet().stream().anyMatch(k -> k.getKey().equals(item.name()))) {
                continue;
            }
            List<Item> target = null;
            for (List<Item> d : documents) {
                if (d.size() < MAX_METRICS && d.stream().noneMatch(i -> i.name().equals(item.name()))) {
                    target = d;
                    break;
                }
            }
            if (target == null) {
                target = new ArrayList<>();
                documents.add(target);
            }
            target.add(item);
        }
        return documents;
    }

    private static Map<String, Object> document(
            String namespace, long timestampMillis, Attributes attributes, List<Item> items) {
        Map<String, String> members = new TreeMap<>();
        attributes.forEach((key, value) -> {
            String v = String.valueOf(value);
            if (!v.isEmpty()) {
                members.put(key.getKey(), v);
            }
        });
        List<String> dimensions =
                members.keySet().stream().limit(MAX_DIMENSIONS).toList();
        List<Map<String, String>> definitions = new ArrayList<>();
        for (Item i : items) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("Name", i.name());
            d.put("Unit", i.unit());
            definitions.add(d);
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", namespace);
        directive.put("Dimensions", List.of(dimensions));
        directive.put("Metrics", definitions);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", timestampMillis);
        aws.put("CloudWatchMetrics", List.of(directive));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("_aws", aws);
        root.putAll(members);
        items.forEach(i -> root.put(i.name(), i.value()));
        return root;
    }

    /** The CloudWatch unit of an OpenTelemetry (UCUM) unit; a count when it has none or an annotation like {@code {hold}}. */
    static String unit(MetricData m) {
        String u = m.getUnit() == null ? "" : m.getUnit();
        return switch (u) {
            case "", "1" -> "Count";
            case "ms" -> "Milliseconds";
            case "s" -> "Seconds";
            case "us" -> "Microseconds";
            case "By" -> "Bytes";
            case "%" -> "Percent";
            default -> u.startsWith("{") ? "Count" : "None";
        };
    }
}

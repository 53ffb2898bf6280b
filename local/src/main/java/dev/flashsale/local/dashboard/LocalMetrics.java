package dev.flashsale.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of one local stack, as CloudWatch would hold them from its functions' EMF documents: per metric and
 * dimension values, what was recorded in each second (the values, so that sums, rates and percentiles can be taken),
 * for the last {@value #KEEP_SECONDS} seconds.
 */
public final class LocalMetrics {

    static final int KEEP_SECONDS = 600;
    private static final int MAX_VALUES_PER_SECOND = 10_000;

    /** metric name → dimensions ("k=v,k=v") → second → values. */
    private final Map<String, Map<String, TreeMap<Long, List<Double>>>> series = new ConcurrentHashMap<>();

    /** Takes one EMF document. */
    public void accept(JsonNode doc) {
        long second = doc.path("_aws").path("Timestamp").asLong() / 1000;
        for (JsonNode directive : doc.path("_aws").path("CloudWatchMetrics")) {
            StringBuilder dims = new StringBuilder();
            directive
                    .path("Dimensions")
                    .path(0)
                    .forEach(d -> dims.append(dims.isEmpty() ? "" : ",")
                            .append(d.asText())
                            .append('=')
                            .append(doc.path(d.asText()).asText()));
            for (JsonNode m : directive.path("Metrics")) {
                String name = m.path("Name").asText();
                JsonNode v = doc.path(name);
                List<Double> values = new ArrayList<>();
                if (v.isArray()) {
                    v.forEach(x -> values.add(x.asDouble()));
                } else if (v.isNumber()) {
                    values.add(v.asDouble());
                }
                record(name, dims.toString(), second, values);
            }
        }
    }

    private void record(String name, String dims, long second, List<Double> values) {
        TreeMap<Long, List<Double>> s = series.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(dims, d -> new TreeMap<>());
        synchronized (s) {
            List<Double> at = s.computeIfAbsent(second, x -> new ArrayList<>());
            if (at.size() + values.size() <= MAX_VALUES_PER_SECOND) {
                at.addAll(values);
            }
            Iterator<Long> old = s.keySet().iterator();
            while (old.hasNext() && old.next() < second - KEEP_SECONDS) {
                old.remove();
            }
        }
    }

    /** The value of dimension {@code key} in a dimensions string, or "" when absent. */
    static String dimension(String dims, String key) {
        for (String kv : dims.split(",")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        return "";
    }

    /**
     * For each value of dimension {@code by}: second → the values recorded then (of every series of {@code name} with
     * that dimension value), from {@code since} (epoch seconds) on.
     */
    public Map<String, TreeMap<Long, List<Double>>> by(String name, String by, long since) {
        Map<String, TreeMap<Long, List<Double>>> out = new TreeMap<>();
        series.getOrDefault(name, Map.of()).forEach((dims, s) -> {
            TreeMap<Long, List<Double>> target = out.computeIfAbsent(dimension(dims, by), k -> new TreeMap<>());
            synchronized (s) {
                s.tailMap(since, true)
                        .forEach((second, values) -> target.computeIfAbsent(second, x -> new ArrayList<>())
                                .addAll(values));
            }
        });
        return out;
    }
}

package dev.flashsale.bench.throughput;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The Redis commands a workload sent, by commandstats name, counted on the client side. */
final class Calls {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String command) {
        add(command, 1);
    }

    void add(String command, long n) {
        counts.computeIfAbsent(command, k -> new LongAdder()).add(n);
    }

    Map<String, Long> snapshot() {
        Map<String, Long> m = new HashMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** What was sent between two snapshots. */
    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> m = new HashMap<>();
        after.forEach((k, v) -> m.put(k, v - before.getOrDefault(k, 0L)));
        return m;
    }

    /**
     * Redis time of our own calls: for each command we sent, our count times the server's mean µs per call of that
     * command over the window. Scripts' inner commands are inside their evalsha time and are not counted again; other
     * clients' calls of the same commands only move the mean.
     */
    static double usec(Map<String, Long> ours, CommandStats delta) {
        double total = 0;
        for (Map.Entry<String, Long> e : ours.entrySet()) {
            total += e.getValue() * delta.usecPerCall(e.getKey());
        }
        return total;
    }

    /** The share of the window's calls of our commands that were not ours (commandstats is server-wide). */
    static double foreignShare(Map<String, Long> ours, CommandStats delta) {
        long seen = 0;
        long foreign = 0;
        for (Map.Entry<String, Long> e : ours.entrySet()) {
            long s = delta.calls(e.getKey());
            seen += s;
            foreign += Math.max(0, s - e.getValue());
        }
        return seen == 0 ? 0 : foreign / (double) seen;
    }
}

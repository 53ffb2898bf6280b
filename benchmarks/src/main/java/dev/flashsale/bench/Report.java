package dev.flashsale.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The printed tables: medians over the child JVMs. */
final class Report {

    private Report() {}

    static long median(List<ChildJvm.Result> rs, ToLongFunction<ChildJvm.Result> metric) {
        long[] v = rs.stream().mapToLong(metric).sorted().toArray();
        if (v.length == 0) {
            return -1;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    /** Prints every table; returns whether the reserve target is met. */
    static boolean print(Map<BenchFunction, ColdStartBench.Rows> results, int runs) {
        String last = "invoke" + ColdStartBench.INVOCATIONS + "Us";
        System.out.printf(Locale.ROOT, "%nCold start (fresh JVM per run, median of %d)%n", runs);
        String head = "%-8s %-8s %10s %10s %9s %9s %9s %9s %9s %9s%n";
        System.out.printf(
                Locale.ROOT,
                head,
                "function",
                "priming",
                "fn zip B",
                "layer KiB",
                "init ms",
                "classes",
                "1st ms",
                "10th ms",
                "1st/10th",
                "+classes");
        System.out.printf(Locale.ROOT, head, "", "", "", "", "(JVM→init)", "at init", "", "", "", "in 1st");
        for (Map.Entry<BenchFunction, ColdStartBench.Rows> e : results.entrySet()) {
            ColdStartBench.Rows rows = e.getValue();
            for (boolean primed : new boolean[] {true, false}) {
                List<ChildJvm.Result> rs = primed ? rows.primed : rows.unprimed;
                long first = median(rs, r -> r.micros("invoke1Us"));
                long tenth = median(rs, r -> r.micros(last));
                System.out.printf(
                        Locale.ROOT,
                        head,
                        e.getKey().name(),
                        primed ? "on" : "off",
                        rows.functionZipBytes,
                        rows.layerZipBytes / 1024,
                        median(rs, r -> r.micros("initMs")),
                        median(rs, r -> r.integer("classesAtInit")),
                        ms(first),
                        ms(tenth),
                        String.format(Locale.ROOT, "%.1fx", (double) first / Math.max(1, tenth)),
                        median(rs, r -> r.integer("classesInFirst")));
            }
        }

        System.out.printf(Locale.ROOT, "%nFirst invocation, primed vs unprimed (median ms)%n");
        String head2 = "%-8s %12s %12s %10s %12s%n";
        System.out.printf(Locale.ROOT, head2, "function", "primed 1st", "unprimed 1st", "saved", "primed 10th");
        for (Map.Entry<BenchFunction, ColdStartBench.Rows> e : results.entrySet()) {
            long p = median(e.getValue().primed, r -> r.micros("invoke1Us"));
            long u = median(e.getValue().unprimed, r -> r.micros("invoke1Us"));
            System.out.printf(
                    Locale.ROOT,
                    head2,
                    e.getKey().name(),
                    ms(p),
                    ms(u),
                    ms(u - p),
                    ms(median(e.getValue().primed, r -> r.micros(last))));
        }

        System.out.printf(
                Locale.ROOT,
                "%nSimulated SnapStart restore (primed init, beforeCheckpoint hooks, old connections killed "
                        + "server-side, afterRestore hooks, then one invocation)%n");
        String head3 = "%-8s %14s %14s %14s %14s %14s %12s%n";
        System.out.printf(
                Locale.ROOT,
                head3,
                "function",
                "afterRestore",
                "1st after",
                "runs ok",
                "redis conns",
                "db backends",
                "SQS client");
        System.out.printf(Locale.ROOT, head3, "", "hooks ms", "restore ms", "", "left open*", "left open*", "builds");
        for (Map.Entry<BenchFunction, ColdStartBench.Rows> e : results.entrySet()) {
            List<ChildJvm.Result> rs = e.getValue().restored;
            long ok = rs.stream()
                    .filter(r -> e.getKey().success().test(r.values().getOrDefault("response", "")))
                    .count();
            String sqs = rs.isEmpty()
                    ? "-"
                    : rs.get(0).values().getOrDefault("sqsClientsBuilt", "-").replace("-1->-1", "n/a");
            System.out.printf(
                    Locale.ROOT,
                    head3,
                    e.getKey().name(),
                    ms(median(rs, r -> r.micros("restoreHooksUs"))),
                    ms(median(rs, r -> r.micros("restoreFirstUs"))),
                    ok + "/" + rs.size(),
                    max(rs, ChildJvm.Result::redisOpenAfterCheckpoint),
                    max(rs, ChildJvm.Result::dbOpenAfterCheckpoint),
                    sqs);
        }
        System.out.println(
                "* the most found open (and then killed) after the beforeCheckpoint hooks in any run; 0 means the hooks "
                        + "closed them all");

        boolean met = true;
        for (Map.Entry<BenchFunction, ColdStartBench.Rows> e : results.entrySet()) {
            if (!e.getKey().name().equals("reserve")) {
                continue;
            }
            long first = median(e.getValue().primed, r -> r.micros("invoke1Us"));
            long tenth = median(e.getValue().primed, r -> r.micros(last));
            double ratio = (double) first / Math.max(1, tenth);
            met = ratio <= ColdStartBench.TARGET_RATIO;
            System.out.printf(
                    Locale.ROOT,
                    "%nTarget: reserve first invocation after primed init <= %.0fx its tenth: %s ms vs %s ms = %.2fx -> %s%n",
                    ColdStartBench.TARGET_RATIO,
                    ms(first),
                    ms(tenth),
                    ratio,
                    met ? "MET" : "MISSED");
        }
        return met;
    }

    private static long max(List<ChildJvm.Result> rs, ToLongFunction<ChildJvm.Result> metric) {
        return rs.stream().mapToLong(metric).max().orElse(-1);
    }
}

package dev.flashsale.bench.throughput;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** What the benchmarks' client threads measure, put together: latencies merged and ranked, and this JVM's CPU time. */
public final class Latencies {

    private Latencies() {}

    /** The first {@code counts[i]} latencies (ns) of each thread's array, in one sorted array. */
    public static long[] merge(long[][] latencies, int[] counts) {
        int n = Arrays.stream(counts).sum();
        long[] all = new long[n];
        int at = 0;
        for (int i = 0; i < latencies.length; i++) {
            System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return all;
    }

    /** The {@code q} quantile of sorted latencies (ns), in ms; NaN when there are none. */
    public static double percentileMs(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** CPU time of this JVM (every thread), or 0 where the platform does not tell. */
    public static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }
}

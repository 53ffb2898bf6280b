package dev.flashsale.telemetry.emf;

import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.util.ArrayList;
import java.util.List;

/**
 * A histogram point as the values CloudWatch computes statistics from: each bucket's representative value, repeated as
 * often as the bucket counted, so that the count, the percentiles (to the bucket's resolution), minimum and maximum
 * come out right. The representative is the bucket's middle (geometric for exponential buckets), kept within the
 * point's recorded minimum and maximum; the smallest and largest values are the recorded minimum and maximum
 * themselves, so CloudWatch's Minimum and Maximum are exact.
 */
final class DistributionValues {

    private DistributionValues() {}

    static List<Double> of(ExponentialHistogramPointData p) {
        Range range = new Range(
                p.hasMin() ? p.getMin() : Double.NEGATIVE_INFINITY, p.hasMax() ? p.getMax() : Double.POSITIVE_INFINITY);
        double base = Math.pow(2, Math.pow(2, -p.getScale()));
        List<Double> values = new ArrayList<>();
        range.repeat(values, 0.0, p.getZeroCount());
        buckets(values, range, p.getPositiveBuckets(), base, 1);
        buckets(values, range, p.getNegativeBuckets(), base, -1);
        return range.withExtremes(values);
    }

    /** Bucket {@code offset + i} holds magnitudes in (base^(offset+i), base^(offset+i+1)]. */
    private static void buckets(
            List<Double> values, Range range, ExponentialHistogramBuckets b, double base, int sign) {
        List<Long> counts = b.getBucketCounts();
        for (int i = 0; i < counts.size(); i++) {
            range.repeat(values, sign * Math.pow(base, b.getOffset() + i + 0.5), counts.get(i));
        }
    }

    /** Explicit buckets: bucket i holds values in (bounds[i-1], bounds[i]], the first and last open to the extremes. */
    static List<Double> of(HistogramPointData p) {
        List<Double> bounds = p.getBoundaries();
        List<Long> counts = p.getCounts();
        Range range = new Range(
                p.hasMin() ? p.getMin() : Double.NEGATIVE_INFINITY, p.hasMax() ? p.getMax() : Double.POSITIVE_INFINITY);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            double lower = i == 0 ? (p.hasMin() ? p.getMin() : 0) : bounds.get(i - 1);
            double upper = i == bounds.size() ? (p.hasMax() ? p.getMax() : lower) : bounds.get(i);
            range.repeat(values, (lower + upper) / 2, counts.get(i));
        }
        return range.withExtremes(values);
    }

    /** The point's recorded extremes, which a representative value is kept within. */
    private record Range(double min, double max) {
        List<Double> withExtremes(List<Double> values) {
            if (values.isEmpty()) {
                return values;
            }
            int lo = 0;
            int hi = 0;
            for (int i = 1; i < values.size(); i++) {
                lo = values.get(i) < values.get(lo) ? i : lo;
                hi = values.get(i) > values.get(hi) ? i : hi;
            }
            if (hi == lo && values.size() > 1) {
                hi = lo == 0 ? 1 : 0; // all alike: another one carries the maximum
            }
            if (Double.isFinite(min)) {
                values.set(lo, min);
            }
            if (Double.isFinite(max) && hi != lo) {
                values.set(hi, max);
            }
            return values;
        }

        void repeat(List<Double> values, double value, long count) {
            double v = Math.round(Math.max(min, Math.min(max, value)) * 10_000)
                    / 10_000.0; // 4 decimals: a µs of a millisecond
            for (long n = 0; n < count; n++) {
                values.add(v);
            }
        }
    }
}

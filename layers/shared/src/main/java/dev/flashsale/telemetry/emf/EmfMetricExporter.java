package dev.flashsale.telemetry.emf;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.PrintStream;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Metrics to CloudWatch with no collector: each export writes CloudWatch embedded metric format (EMF) documents, one
 * JSON object per line, which Lambda sends to the function's log group, where CloudWatch Logs extracts the metrics.
 *
 * <p>Delta temporality: every export carries what happened since the previous one, so the values of all execution
 * environments add up in CloudWatch. Histograms are aggregated as base-2 exponential histograms (at most
 * {@value #HISTOGRAM_BUCKETS} buckets, a few percent of relative error) and written as value arrays, so CloudWatch
 * computes percentiles from them (see {@link EmfDocuments}).
 */
public final class EmfMetricExporter implements MetricExporter {

    static final int HISTOGRAM_BUCKETS = 160;

    /** Each document as one write of one line to the current {@code System.out}, which Lambda sends to CloudWatch Logs. */
    public static final Consumer<String> STDOUT = line -> {
        PrintStream out = System.out;
        out.print(line);
        out.flush();
    };

    private final String namespace;
    private final Consumer<String> lines;

    /**
     * @param namespace the CloudWatch namespace of every metric
     * @param lines     receives each document as one line, newline included
     */
    public EmfMetricExporter(String namespace, Consumer<String> lines) {
        this.namespace = namespace;
        this.lines = lines;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.DELTA;
    }

    @Override
    public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
        return instrumentType == InstrumentType.HISTOGRAM
                ? Aggregation.base2ExponentialBucketHistogram(HISTOGRAM_BUCKETS, 20)
                : Aggregation.defaultAggregation();
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
        try {
            for (String document : EmfDocuments.render(namespace, metrics, System.currentTimeMillis())) {
                lines.accept(document + "\n");
            }
            return CompletableResultCode.ofSuccess();
        } catch (RuntimeException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}

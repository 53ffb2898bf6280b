package dev.flashsale.telemetry;

import dev.flashsale.config.Config;
import dev.flashsale.telemetry.emf.EmfMetricExporter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongGauge;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.LoggingMetricExporter;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.crac.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * One execution environment's OpenTelemetry pipeline, built explicitly (no global, no autoconfiguration) and passed
 * down from the function's Init: tracer, meter, the W3C propagator, named counters, and a flush for the end of an
 * invocation. {@link #noop()} costs nothing and is what code built without telemetry (older tests) gets.
 *
 * <p>Spans go through a batch processor that is force-flushed at the end of each invocation (one export per
 * invocation, not one per span). Metrics are cumulative and exported at the end of an invocation when
 * {@link TelemetrySettings#metricInterval()} has passed. A CRaC resource: flushes before the snapshot, and after a
 * restore re-seeds the span-id source and drops the exporters' pooled connections.
 */
public final class Telemetry implements org.crac.Resource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
    public static final String SCOPE = "dev.flashsale";
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("function");
    static final AttributeKey<String> SALE_ID = AttributeKey.stringKey("sale_id");

    private static final Telemetry NOOP = new Telemetry(
            "unknown",
            "unknown",
            OpenTelemetry.noop(),
            null,
            null,
            Duration.ZERO,
            Duration.ZERO,
            null,
            List.of(),
            () -> {});

    private final String serviceName;
    private final String function;
    private final Tracer tracer;
    private final Meter meter;
    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;
    private final boolean tracing;
    private final Duration flushTimeout;
    private final long metricIntervalNanos;
    private final ReseedableIdGenerator ids;
    private final List<JdkHttpSender> senders;
    private final Map<String, LongCounter> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleHistogram> lags = new ConcurrentHashMap<>();
    private final Runnable primeExport;
    private final DoubleHistogram duration;
    private final LongCounter units;
    private final LongGauge unitsLeft;
    /** When the current metric interval started ({@code System.nanoTime()}); 0 until the first flush starts one. */
    private volatile long lastMetricFlush;

    private Telemetry(
            String serviceName,
            String function,
            OpenTelemetry otel,
            SdkTracerProvider tracerProvider,
            SdkMeterProvider meterProvider,
            Duration flushTimeout,
            Duration metricInterval,
            ReseedableIdGenerator ids,
            List<JdkHttpSender> senders,
            Runnable primeExport) {
        this.primeExport = primeExport;
        this.serviceName = serviceName;
        this.function = function;
        this.tracer = otel.getTracer(SCOPE);
        this.meter = otel.getMeter(SCOPE);
        this.tracerProvider = tracerProvider;
        this.meterProvider = meterProvider;
        this.tracing = tracerProvider != null;
        this.flushTimeout = flushTimeout;
        this.metricIntervalNanos = metricInterval.toNanos();
        this.ids = ids;
        this.senders = senders;
        this.duration = meter.histogramBuilder("flashsale.handler.duration")
                .setUnit("ms")
                .setDescription(
                        "Time spent in one invocation's unit of work (an HTTP request, an SQS record, a scheduled run)")
                .setExplicitBucketBoundariesAdvice(
                        List.of(0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0))
                .build();
        this.units = meter.counterBuilder(UNITS)
                .setUnit("{unit}")
                .setDescription("Units of a sale reserved (new holds) and confirmed (new orders)")
                .build();
        this.unitsLeft = meter.gaugeBuilder(UNITS_LEFT)
                .ofLongs()
                .setUnit("{unit}")
                .setDescription("A sale's available units as last answered to a buyer (reservations and sale status)")
                .build();
    }

    /** Units of a sale by {@code outcome}: {@code reserved} or {@code confirmed}; attribute {@code sale_id}. */
    public static final String UNITS = "flashsale.units";
    /** A sale's available units, attribute {@code sale_id}. */
    public static final String UNITS_LEFT = "flashsale.sale.units_left";
    /** Suffix of the histogram of a queue consumer's lag: sent to processed, per record, e.g. {@code flashsale.confirmations.lag}. */
    public static final String LAG_SUFFIX = ".lag";

    /** Telemetry off: no spans, no metrics, no cost. */
    public static Telemetry noop() {
        return NOOP;
    }

    /**
     * The pipeline {@code settings} describe for the function {@code function}; everything {@code none} gives
     * {@link #noop()}. {@code runtime} holds the Lambda runtime's variables, the resource attributes.
     */
    public static Telemetry create(TelemetrySettings settings, Map<String, String> runtime, String function) {
        if (!settings.enabled()) {
            return noop();
        }
        // the credentials provider is built only for xray: its classes are not loaded at every cold start
        return fromSettings(
                settings,
                resource(Config.of(runtime), settings.serviceName()),
                function,
                () -> DefaultCredentialsProvider.builder().build());
    }

    /** The pipeline {@code s} describes; {@code credentials} sign the {@code xray} trace export. */
    static Telemetry fromSettings(
            TelemetrySettings s, Resource resource, String function, Supplier<AwsCredentialsProvider> credentials) {
        List<JdkHttpSender> senders = Collections.synchronizedList(new ArrayList<>());
        HttpSenderProvider sender = JdkHttpSender.provider(senders, JdkHttpSender.Signer.NONE);
        SpanProcessor spans = switch (s.traces()) {
            case NONE, EMF -> null;
            case LOGGING -> batch(LoggingSpanExporter.create());
            case OTLP -> batch(otlpSpans(s, sender));
            case XRAY ->
                batch(otlpSpans(s, JdkHttpSender.provider(senders, new XRaySigner(credentials.get(), s.region()))));
        };
        MetricExporter metricExporter = switch (s.metrics()) {
            case NONE, XRAY -> null;
            case LOGGING -> LoggingMetricExporter.create();
            case OTLP -> otlpMetrics(s, sender);
            case EMF -> new EmfMetricExporter(s.namespace(), EmfMetricExporter.STDOUT);
        };
        MetricReader reader = metricExporter == null
                ? null
                : PeriodicMetricReader.builder(metricExporter)
                        .setInternalTelemetryVersion(
                                InternalTelemetryVersion.LEGACY) // no metrics about the reader itself
                        .setInterval(s.metricInterval().isZero() ? Duration.ofMinutes(1) : s.metricInterval())
                        .build();
        return create(
                s.serviceName(),
                function,
                resource,
                spans,
                reader,
                s.exportTimeout(),
                s.metricInterval(),
                senders,
                ExportPriming.of(s, resource));
    }

    static MetricExporter otlpMetrics(TelemetrySettings s, HttpSenderProvider sender) {
        return OtlpHttpMetricExporter.builder()
                .setEndpoint(s.endpoint() + "/v1/metrics")
                .setTimeout(s.exportTimeout())
                .setMeterProvider(MeterProvider.noop())
                .setComponentLoader(only(HttpSenderProvider.class, sender))
                .build();
    }

    static SpanExporter otlpSpans(TelemetrySettings s, HttpSenderProvider sender) {
        return OtlpHttpSpanExporter.builder()
                .setEndpoint(s.tracesEndpoint().toString())
                .setTimeout(s.exportTimeout())
                .setMeterProvider(MeterProvider.noop())
                .setComponentLoader(only(HttpSenderProvider.class, sender))
                .build();
    }

    /**
     * A pipeline with the given processor and reader (either may be null), for tests with the SDK's in-memory
     * exporters; metrics are flushed at the end of every invocation.
     */
    public static Telemetry create(String serviceName, SpanProcessor spans, MetricReader metrics) {
        return create(
                serviceName,
                serviceName,
                resource(Config.of(Map.of()), serviceName),
                spans,
                metrics,
                Duration.ofSeconds(5),
                Duration.ZERO,
                List.of(),
                () -> {});
    }

    private static Telemetry create(
            String serviceName,
            String function,
            Resource resource,
            SpanProcessor spans,
            MetricReader metrics,
            Duration flushTimeout,
            Duration metricInterval,
            List<JdkHttpSender> senders,
            Runnable primeExport) {
        ReseedableIdGenerator ids = new ReseedableIdGenerator();
        SdkTracerProvider tracerProvider = spans == null
                ? null
                : SdkTracerProvider.builder()
                        .setResource(resource)
                        .setIdGenerator(ids)
                        .addSpanProcessor(spans)
                        .build();
        SdkMeterProvider meterProvider = metrics == null
                ? null
                : SdkMeterProvider.builder()
                        .setResource(resource)
                        .registerMetricReader(metrics)
                        .build();
        OpenTelemetry otel = new OpenTelemetry() {
            @Override
            public TracerProvider getTracerProvider() {
                return tracerProvider == null ? TracerProvider.noop() : tracerProvider;
            }

            @Override
            public MeterProvider getMeterProvider() {
                return meterProvider == null ? MeterProvider.noop() : meterProvider;
            }

            @Override
            public io.opentelemetry.context.propagation.ContextPropagators getPropagators() {
                return io.opentelemetry.context.propagation.ContextPropagators.create(
                        W3CTraceContextPropagator.getInstance());
            }
        };
        return new Telemetry(
                serviceName,
                function,
                otel,
                tracerProvider,
                meterProvider,
                flushTimeout,
                metricInterval,
                ids,
                senders,
                primeExport);
    }

    private static SpanProcessor batch(SpanExporter exporter) {
        // The end-of-invocation flush exports; the delay only matters for spans ended outside an invocation.
        return BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(Duration.ofSeconds(5))
                .setMeterProvider(MeterProvider.noop())
                .build();
    }

    private static <S> io.opentelemetry.common.ComponentLoader only(Class<S> type, S instance) {
        return new io.opentelemetry.common.ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> requested) {
                return requested == type ? List.of((T) instance) : List.of();
            }
        };
    }

    /** The semantic-convention resource of a Lambda function, from the variables the Lambda runtime sets. */
    static Resource resource(Config env, String serviceName) {
        var b = Attributes.builder()
                .put("service.name", serviceName)
                .put("cloud.provider", "aws")
                .put("cloud.platform", "aws_lambda");
        env.optional("AWS_REGION").ifPresent(v -> b.put("cloud.region", v));
        env.optional("AWS_LAMBDA_FUNCTION_NAME").ifPresent(v -> b.put("faas.name", v));
        env.optional("AWS_LAMBDA_FUNCTION_VERSION").ifPresent(v -> b.put("faas.version", v));
        env.optional("AWS_LAMBDA_LOG_STREAM_NAME").ifPresent(v -> b.put("faas.instance", v));
        env.optional("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .ifPresent(v -> b.put("faas.max_memory", Long.parseLong(v) * 1024 * 1024));
        return Resource.getDefault().merge(Resource.create(b.build()));
    }

    public String serviceName() {
        return serviceName;
    }

    public Tracer tracer() {
        return tracer;
    }

    public Meter meter() {
        return meter;
    }

    /** Whether spans are recorded (false for {@link #noop()} and for a metrics-only pipeline). */
    public boolean tracing() {
        return tracing;
    }

    public TextMapPropagator propagator() {
        return W3CTraceContextPropagator.getInstance();
    }

    /** The counter named {@code name} (created on first use), e.g. {@code flashsale.reconciliation.corrections}. */
    public LongCounter counter(String name) {
        return counters.computeIfAbsent(name, n -> meter.counterBuilder(n).build());
    }

    /** Adds {@code n} to counter {@code name} with an {@code outcome} attribute. */
    public void count(String name, String outcome, long n) {
        if (n != 0) {
            counter(name).add(n, Attributes.of(OUTCOME, outcome));
        }
    }

    void recordDuration(double millis, String outcome) {
        duration.record(millis, Attributes.of(OUTCOME, outcome, FUNCTION, function));
    }

    void countUnits(String saleId, String outcome, long n) {
        units.add(n, Attributes.of(SALE_ID, saleId, OUTCOME, outcome));
    }

    void unitsLeft(String saleId, long n) {
        unitsLeft.set(n, Attributes.of(SALE_ID, saleId));
    }

    /** Records how long a record waited from being sent to being done, in {@code counter}{@value #LAG_SUFFIX}. */
    void recordLag(String counter, double millis, String outcome) {
        lags.computeIfAbsent(
                        counter,
                        c -> meter.histogramBuilder(c + LAG_SUFFIX)
                                .setUnit("ms")
                                .setDescription("From a message being sent to its record being processed")
                                .setExplicitBucketBoundariesAdvice(List.of(
                                        10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0,
                                        60000.0, 300000.0))
                                .build())
                .record(millis, Attributes.of(OUTCOME, outcome));
    }

    /**
     * Counts the breaker's state transitions as {@code flashsale.breaker.transitions} with {@code breaker}, {@code from}
     * and {@code to} attributes.
     */
    public void watch(CircuitBreaker breaker) {
        if (this == NOOP) {
            return;
        }
        LongCounter transitions = counter("flashsale.breaker.transitions");
        breaker.getEventPublisher()
                .onStateTransition(e -> transitions.add(
                        1,
                        Attributes.builder()
                                .put("breaker", breaker.getName())
                                .put(
                                        "from",
                                        e.getStateTransition().getFromState().name())
                                .put("to", e.getStateTransition().getToState().name())
                                .build()));
    }

    /**
     * Runs {@code work} in a child span of the current one (a call to Redis, SQS or the database). A failure marks the
     * span as an error with the exception's type; its stack trace is the logs' business.
     */
    public <T> T span(String name, SpanKind kind, Attributes attributes, Supplier<T> work) {
        if (!tracing) {
            return work.get();
        }
        Span span = tracer.spanBuilder(name)
                .setSpanKind(kind)
                .setAllAttributes(attributes)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            fail(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * One HTTP request: a server span (continuing a W3C {@code traceparent} header when the client sent one), the
     * outcome counted in {@code counter} (a problem's slug unless {@code route} set one), a summary line, and the flush
     * before the response is returned.
     */
    public com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse http(
            com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent event,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter,
            java.util.function.Function<
                            Invocation, com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse>
                    route) {
        return LambdaInvocations.http(this, event, lambda, counter, route);
    }

    /**
     * One SQS record: a consumer span in the trace of the message's sender (its {@code traceparent} attribute). The
     * caller sets the outcome, closes it, and calls {@link #flush()} once per batch.
     */
    public Invocation record(
            com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage record,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter) {
        return LambdaInvocations.record(this, record, lambda, counter);
    }

    /** One scheduled run: an internal span, its outcome counted in {@code counter}, flushed (metrics too) at the end. */
    public <T> T scheduled(
            String name,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter,
            java.util.function.Function<Invocation, T> run) {
        return LambdaInvocations.scheduled(this, name, lambda, counter, run);
    }

    /**
     * Runs {@code work} (priming at init) under a parent that is not sampled: the tracing code path is loaded and run,
     * but no span is exported.
     */
    public void quietly(Runnable work) {
        if (!tracing) {
            work.run();
            return;
        }
        io.opentelemetry.api.trace.SpanContext unsampled = io.opentelemetry.api.trace.SpanContext.create(
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331",
                io.opentelemetry.api.trace.TraceFlags.getDefault(),
                io.opentelemetry.api.trace.TraceState.getDefault());
        try (Scope ignored = io.opentelemetry.context.Context.root()
                .with(Span.wrap(unsampled))
                .makeCurrent()) {
            work.run();
        }
    }

    /**
     * Loads and runs the tracing code path once (a span, its attributes, context propagation into a carrier) without
     * exporting anything and without touching any metric: for priming at init, where the invocation itself runs
     * uninstrumented so that it is not counted. Then the export path, dry ({@link ExportPriming}): nothing leaves.
     */
    public void prime() {
        quietly(() -> span(
                "prime",
                SpanKind.INTERNAL,
                Attributes.builder().put("flashsale.sale_id", "__prime__").build(),
                () -> {
                    inject(new java.util.HashMap<String, String>(), (carrier, key, value) -> carrier.put(key, value));
                    return null;
                }));
        primeExport.run();
    }

    /** Writes the current trace context into {@code carrier} (e.g. a message's attributes). */
    public <C> void inject(C carrier, io.opentelemetry.context.propagation.TextMapSetter<C> setter) {
        if (tracing) {
            propagator().inject(io.opentelemetry.context.Context.current(), carrier, setter);
        }
    }

    static void fail(Span span, Throwable e) {
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
        span.setAttribute("error.type", e.getClass().getName());
    }

    /**
     * Exports what this invocation recorded before it returns: the spans always, metrics when their interval has
     * passed. Bounded by the export timeout; a slow or absent collector costs at most that, and is logged, not thrown.
     */
    public void flush() {
        if (this == NOOP) {
            return;
        }
        List<CompletableResultCode> pending = new ArrayList<>(2);
        if (tracerProvider != null) {
            pending.add(tracerProvider.forceFlush());
        }
        long now = System.nanoTime();
        if (lastMetricFlush == 0) {
            lastMetricFlush = now; // the first flush starts the interval
        }
        if (meterProvider != null && now - lastMetricFlush >= metricIntervalNanos) {
            lastMetricFlush = now;
            pending.add(meterProvider.forceFlush());
        }
        CompletableResultCode all =
                CompletableResultCode.ofAll(pending).join(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!all.isSuccess()) {
            LOG.warn("telemetry export did not complete within {} ms", flushTimeout.toMillis());
        }
    }

    /** Exports metrics now, whatever the interval (end of a scheduled run, shutdown, tests). */
    public void flushMetrics() {
        if (meterProvider != null) {
            lastMetricFlush = System.nanoTime();
            meterProvider.forceFlush().join(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        if (tracerProvider != null) {
            tracerProvider.shutdown().join(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (meterProvider != null) {
            meterProvider.shutdown().join(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends org.crac.Resource> context) {
        flush();
        flushMetrics();
        senders.forEach(JdkHttpSender::reset);
    }

    @Override
    public void afterRestore(Context<? extends org.crac.Resource> context) {
        if (ids != null) {
            ids.reseed();
        }
        senders.forEach(JdkHttpSender::reset);
        // the snapshot's monotonic clock means nothing after a restore: the next flush starts a new interval
        lastMetricFlush = 0;
    }
}

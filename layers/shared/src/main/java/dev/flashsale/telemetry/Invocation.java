package dev.flashsale.telemetry;

import dev.flashsale.telemetry.log.JsonLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One unit of work of a function (an HTTP request, an SQS record, a scheduled run): its span (current while it is
 * open), the attributes operators look for, its outcome, and at {@link #close()} the outcome counter, the latency
 * histogram and one JSON summary line (none while an init primes: that is not an invocation). The request id, function and sale id are in the log context (MDC) meanwhile,
 * so every line logged during the unit carries them.
 */
public final class Invocation implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.flashsale.invocation");

    public static final AttributeKey<String> SALE_ID = AttributeKey.stringKey("flashsale.sale_id");
    public static final AttributeKey<Long> QUANTITY = AttributeKey.longKey("flashsale.quantity");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("flashsale.outcome");
    public static final AttributeKey<String> BUYER_HASH = AttributeKey.stringKey("flashsale.buyer_hash");
    public static final AttributeKey<String> RESERVATION_ID = AttributeKey.stringKey("flashsale.reservation_id");
    public static final AttributeKey<String> INVOCATION_ID = AttributeKey.stringKey("faas.invocation_id");
    public static final AttributeKey<String> XRAY_HEADER = AttributeKey.stringKey("aws.xray.trace_header");

    private final Telemetry telemetry;
    private final String name;
    private final String counter;
    private final Span span;
    private final Scope scope;
    private final long start = System.nanoTime();
    private String saleId;
    private Integer quantity;
    private Long remaining;
    private long sentAtMillis = -1;
    private String outcome;
    private Level level = Level.INFO;

    private Invocation(Telemetry telemetry, String name, String counter, Span span, String requestId) {
        this.telemetry = telemetry;
        this.name = name;
        this.counter = counter;
        this.span = span;
        this.scope = span.makeCurrent();
        MDC.put("function", telemetry.serviceName());
        if (requestId != null) {
            MDC.put("request_id", requestId);
        }
    }

    /**
     * Starts a unit of work and makes its span current.
     *
     * @param counter   the counter its outcome is added to at the end, e.g. {@code flashsale.reservations}
     * @param parent    the context to continue (from a traceparent), or {@link Context#root()}
     * @param requestId the Lambda request id, when there is one
     * @param xray      an X-Ray trace header to record and link, or null
     */
    static Invocation start(
            Telemetry telemetry,
            String name,
            SpanKind kind,
            String counter,
            Context parent,
            String requestId,
            String xray,
            java.util.function.Consumer<SpanBuilder> attributes) {
        Span span;
        if (telemetry.tracing()) {
            SpanBuilder b =
                    telemetry.tracer().spanBuilder(name).setSpanKind(kind).setParent(parent);
            if (requestId != null) {
                b.setAttribute(INVOCATION_ID, requestId);
            }
            if (xray != null) {
                b.setAttribute(XRAY_HEADER, xray);
                XRay.spanContext(xray).ifPresent(b::addLink);
            }
            attributes.accept(b);
            span = b.startSpan();
        } else {
            span = Span.getInvalid();
        }
        return new Invocation(telemetry, name, counter, span, requestId);
    }

    public Span span() {
        return span;
    }

    public Invocation saleId(String id) {
        this.saleId = id;
        span.setAttribute(SALE_ID, id);
        MDC.put("sale_id", id);
        return this;
    }

    public Invocation reservationId(String id) {
        span.setAttribute(RESERVATION_ID, id);
        MDC.put("reservation_id", id);
        return this;
    }

    public Invocation quantity(int q) {
        this.quantity = q;
        span.setAttribute(QUANTITY, q);
        return this;
    }

    /** The sale's available units as answered ({@code remaining}): the units-left gauge of the sale. */
    Invocation remaining(long units) {
        this.remaining = units;
        return this;
    }

    /** When the record's message was sent (epoch ms): its lag is measured from then. */
    Invocation sentAt(long epochMillis) {
        this.sentAtMillis = epochMillis;
        return this;
    }

    /** Only a hash of the buyer id is recorded (no personal data in telemetry). */
    public Invocation buyer(String buyerId) {
        if (span.isRecording()) {
            span.setAttribute(BUYER_HASH, hash(buyerId));
        }
        return this;
    }

    public Invocation attribute(String key, String value) {
        span.setAttribute(key, value);
        return this;
    }

    public Invocation attribute(String key, long value) {
        span.setAttribute(key, value);
        return this;
    }

    /** What happened, in one word (a problem slug, {@code held}, {@code confirmed} ...). */
    public Invocation outcome(String outcome) {
        this.outcome = outcome;
        return this;
    }

    public String outcome() {
        return outcome;
    }

    /** The summary line's level (INFO unless a failure says otherwise). */
    public Invocation level(Level level) {
        this.level = level;
        return this;
    }

    /** Marks the unit failed by {@code e}; the summary is logged at ERROR (the cause is logged where it is handled). */
    public Invocation failed(Throwable e) {
        Telemetry.fail(span, e);
        level = Level.ERROR;
        if (outcome == null) {
            outcome = "error";
        }
        return this;
    }

    /** Counts the outcome, records the latency, logs the summary line and ends the span. Does not flush. */
    @Override
    public void close() {
        double millis = (System.nanoTime() - start) / 1_000_000.0;
        String o = outcome == null ? "ok" : outcome;
        String category = OutcomeCategory.of(o);
        span.setAttribute(OUTCOME, o);
        telemetry.count(counter, category, 1);
        telemetry.recordDuration(millis, category);
        recordSaleMetrics(category);
        if (LOG.isEnabledForLevel(level) && !JsonLog.isPriming()) {
            LoggingEventBuilder line = LOG.atLevel(level)
                    .addKeyValue("event", "invocation")
                    .addKeyValue("outcome", o)
                    .addKeyValue("duration_ms", Math.round(millis * 1000) / 1000.0);
            if (quantity != null) {
                line.addKeyValue("quantity", quantity);
            }
            line.log(name);
        }
        span.end();
        scope.close();
        MDC.remove("sale_id");
        MDC.remove("reservation_id");
        MDC.remove("request_id");
        MDC.remove("function");
    }

    /**
     * A new hold counts its units as reserved, a new order as confirmed; an answer that told a buyer the sale's
     * remaining units sets its units-left gauge; a queue record records its lag.
     */
    private void recordSaleMetrics(String category) {
        if (saleId != null && quantity != null) {
            switch (category) {
                case "accepted" -> telemetry.countUnits(saleId, "reserved", quantity);
                case "confirmed" -> telemetry.countUnits(saleId, "confirmed", quantity);
                default -> {
                    // refusals and replays move no units
                }
            }
        }
        if (saleId != null && remaining != null) {
            telemetry.unitsLeft(saleId, remaining);
        }
        if (sentAtMillis > 0) {
            telemetry.recordLag(counter, Math.max(0, System.currentTimeMillis() - sentAtMillis), category);
        }
    }

    String saleId() {
        return saleId;
    }

    static String hash(String buyerId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(buyerId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An enum constant as an outcome: {@code ALREADY_CONFIRMED} → {@code already-confirmed}. */
    public static String slug(String text) {
        return text.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

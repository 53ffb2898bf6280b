package dev.flashsale.telemetry.log;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * Writes each event as one JSON object: {@code timestamp}, {@code level}, {@code logger}, {@code message}, the current
 * span's {@code trace_id} and {@code span_id}, the log context ({@code request_id}, {@code function}, {@code sale_id}
 * ...), the event's key/value pairs ({@code outcome}, {@code duration_ms} ...), and for an event logged with an
 * exception {@code error_type}, {@code error_message}, {@code error_cause} and {@code error_stack}.
 */
final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {

    private static final long serialVersionUID = 1L;

    JsonLogger(String name) {
        this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
        return JsonLog.enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return JsonLog.enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return JsonLog.enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return JsonLog.enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return JsonLog.enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] args, Throwable error) {
        write(level, MessageFormatter.basicArrayFormat(pattern, args), null, error);
    }

    @Override
    public void log(LoggingEvent event) {
        if (!JsonLog.enabled(event.getLevel())) {
            return;
        }
        Object[] args = event.getArgumentArray();
        String message =
                args == null ? event.getMessage() : MessageFormatter.basicArrayFormat(event.getMessage(), args);
        write(event.getLevel(), message, event.getKeyValuePairs(), event.getThrowable());
    }

    private void write(Level level, String message, List<KeyValuePair> pairs, Throwable error) {
        if (level.toInt() < Level.WARN.toInt() && JsonLog.isPriming()) {
            return;
        }
        StringBuilder b = new StringBuilder(256);
        b.append('{');
        field(b, "timestamp", Instant.now().toString());
        field(b, "level", level.name());
        field(b, "logger", name);
        field(b, "message", message);
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            field(b, "trace_id", span.getTraceId());
            field(b, "span_id", span.getSpanId());
        }
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context != null) {
            context.forEach((k, v) -> field(b, k, v));
        }
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                field(b, p.key, p.value);
            }
        }
        if (error != null) {
            field(b, "error_type", error.getClass().getName());
            field(b, "error_message", error.getMessage());
            if (error.getCause() != null) {
                field(b, "error_cause", error.getCause().toString());
            }
            StringWriter stack = new StringWriter();
            error.printStackTrace(new PrintWriter(stack));
            field(b, "error_stack", stack.toString());
        }
        b.setLength(b.length() - 1);
        b.append("}\n");
        JsonLog.write(b.toString());
    }

    /** Appends {@code "key":value,}. */
    private static void field(StringBuilder b, String key, Object value) {
        string(b, key);
        b.append(':');
        if (value == null) {
            b.append("null");
        } else if (value instanceof Double d && !d.isInfinite() && !d.isNaN()
                || value instanceof Long
                || value instanceof Integer
                || value instanceof Boolean) {
            b.append(value);
        } else {
            string(b, value.toString());
        }
        b.append(',');
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}

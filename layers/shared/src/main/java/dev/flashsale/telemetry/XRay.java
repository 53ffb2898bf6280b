package dev.flashsale.telemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.Optional;

/**
 * The AWS X-Ray trace header ({@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}).
 * Recorded on spans as an attribute and a link, never used as the parent: a header with {@code Sampled=0} (X-Ray off)
 * would otherwise switch our own tracing off.
 */
public final class XRay {

    /** Where the Java runtime puts the current invocation's header. */
    public static final String SYSTEM_PROPERTY = "com.amazonaws.xray.traceHeader";

    public static final String ENV = "_X_AMZN_TRACE_ID";
    public static final String HTTP_HEADER = "x-amzn-trace-id";

    private XRay() {}

    /** The current invocation's header: the runtime's system property, else the environment variable. */
    public static Optional<String> currentHeader() {
        String v = System.getProperty(SYSTEM_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** The header's trace and parent as a remote span context, when both are well formed. */
    public static Optional<SpanContext> spanContext(String header) {
        String root = null;
        String parent = null;
        boolean sampled = false;
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            switch (key) {
                case "Root" -> root = value;
                case "Parent" -> parent = value;
                case "Sampled" -> sampled = value.equals("1");
                default -> {}
            }
        }
        // Root=1-{8 hex epoch seconds}-{24 hex}: the 32 hex digits are a W3C trace id
        if (root == null || parent == null || root.length() != 35 || !root.startsWith("1-") || root.charAt(10) != '-') {
            return Optional.empty();
        }
        SpanContext context = SpanContext.createFromRemoteParent(
                root.substring(2, 10) + root.substring(11),
                parent,
                sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault());
        return context.isValid() ? Optional.of(context) : Optional.empty();
    }
}

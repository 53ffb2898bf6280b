package dev.flashsale.telemetry;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.event.Level;

/**
 * The three kinds of invocation unit, instrumented the same way for every function: an HTTP request (server span), an
 * SQS record (consumer span, continuing the trace whose context travels in the message's {@code traceparent} /
 * {@code tracestate} attributes), a scheduled run (internal span). Invokers reach these through {@link Telemetry}.
 */
final class LambdaInvocations {

    private static final String PROBLEM_TYPE = "\"type\":\"urn:flashsale:problem:";
    private static final String REMAINING = "\"remaining\":";

    private LambdaInvocations() {}

    static APIGatewayV2HTTPResponse http(
            Telemetry t,
            APIGatewayV2HTTPEvent event,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter,
            Function<Invocation, APIGatewayV2HTTPResponse> route) {
        String method = method(event);
        String routeKey = event.getRouteKey() != null && event.getRouteKey().contains(" ")
                ? event.getRouteKey().substring(event.getRouteKey().indexOf(' ') + 1)
                : event.getRawPath();
        Map<String, String> headers = event.getHeaders() == null ? Map.of() : event.getHeaders();
        Context parent = t.tracing() ? t.propagator().extract(Context.root(), headers, MAP_GETTER) : Context.root();
        String xray = XRay.currentHeader().orElse(headers.get(XRay.HTTP_HEADER));
        String apiRequestId = event.getRequestContext() == null
                ? null
                : event.getRequestContext().getRequestId();
        String requestId = lambda.getAwsRequestId();
        Invocation inv =
                Invocation.start(t, method + " " + routeKey, SpanKind.SERVER, counter, parent, requestId, xray, b -> {
                    b.setAttribute("http.request.method", method);
                    b.setAttribute("http.route", routeKey);
                    if (apiRequestId != null) {
                        b.setAttribute("aws.apigateway.request_id", apiRequestId);
                    }
                });
        return within(t, inv, false, () -> {
            APIGatewayV2HTTPResponse response = route.apply(inv);
            int status = response.getStatusCode();
            inv.span().setAttribute("http.response.status_code", status);
            if (inv.outcome() == null) {
                inv.outcome(status >= 400 ? problemSlug(response.getBody(), status) : "ok");
            }
            long remaining = remaining(response.getBody());
            if (remaining >= 0) {
                inv.remaining(remaining);
            }
            if (status >= 500) {
                inv.span().setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
                inv.level(status == 503 ? Level.WARN : Level.ERROR);
            }
            return response;
        });
    }

    /**
     * Runs {@code work} as {@code inv}: a throw fails it; in any case it is closed and the telemetry flushed (the metrics
     * too when {@code flushMetrics}).
     */
    private static <T> T within(Telemetry t, Invocation inv, boolean flushMetrics, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            inv.failed(e);
            throw e;
        } finally {
            inv.close();
            t.flush();
            if (flushMetrics) {
                t.flushMetrics();
            }
        }
    }

    /** The problem type's slug from a problem+json body, without parsing it. */
    static String problemSlug(String body, int status) {
        if (body != null) {
            int i = body.indexOf(PROBLEM_TYPE);
            if (i >= 0) {
                int from = i + PROBLEM_TYPE.length();
                int to = body.indexOf('"', from);
                if (to > from) {
                    return body.substring(from, to);
                }
            }
        }
        return "http-" + status;
    }

    /**
     * The sale's available units a buyer was told ({@code "remaining":n} in a reservation, a sold-out refusal or a sale
     * status), without parsing the body; -1 when there is none.
     */
    static long remaining(String body) {
        int i = body == null ? -1 : body.indexOf(REMAINING);
        if (i < 0) {
            return -1;
        }
        int from = i + REMAINING.length();
        int to = from;
        while (to < body.length() && to - from < 10 && Character.isDigit(body.charAt(to))) {
            to++;
        }
        return to > from ? Long.parseLong(body.substring(from, to)) : -1;
    }

    static Invocation record(
            Telemetry t,
            SQSEvent.SQSMessage record,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter) {
        Map<String, SQSEvent.MessageAttribute> attributes =
                record.getMessageAttributes() == null ? Map.of() : record.getMessageAttributes();
        Context parent = t.tracing() ? t.propagator().extract(Context.root(), attributes, SQS_GETTER) : Context.root();
        String xray =
                record.getAttributes() == null ? null : record.getAttributes().get("AWSTraceHeader");
        String queue = queueName(record.getEventSourceArn());
        Invocation inv = Invocation.start(
                t, "process " + queue, SpanKind.CONSUMER, counter, parent, lambda.getAwsRequestId(), xray, b -> {
                    b.setAttribute("messaging.system", "aws_sqs");
                    b.setAttribute("messaging.operation.type", "process");
                    b.setAttribute("messaging.destination.name", queue);
                    if (record.getMessageId() != null) {
                        b.setAttribute("messaging.message.id", record.getMessageId());
                    }
                });
        String sent =
                record.getAttributes() == null ? null : record.getAttributes().get("SentTimestamp");
        if (sent != null && sent.matches("\\d{1,15}")) {
            inv.sentAt(Long.parseLong(sent));
        }
        return inv;
    }

    static <T> T scheduled(
            Telemetry t,
            String name,
            com.amazonaws.services.lambda.runtime.Context lambda,
            String counter,
            Function<Invocation, T> run) {
        Invocation inv = Invocation.start(
                t,
                name,
                SpanKind.INTERNAL,
                counter,
                Context.root(),
                lambda.getAwsRequestId(),
                XRay.currentHeader().orElse(null),
                b -> {});
        return within(t, inv, true, () -> run.apply(inv));
    }

    static String queueName(String arn) {
        if (arn == null || arn.isEmpty()) {
            return "sqs";
        }
        return arn.substring(arn.lastIndexOf(':') + 1);
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        if (event.getRequestContext() != null
                && event.getRequestContext().getHttp() != null
                && event.getRequestContext().getHttp().getMethod() != null) {
            return event.getRequestContext().getHttp().getMethod();
        }
        String rk = event.getRouteKey();
        return rk != null && rk.contains(" ") ? rk.substring(0, rk.indexOf(' ')) : "_OTHER";
    }

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            String v = carrier.get(key);
            if (v == null) {
                for (Map.Entry<String, String> e : carrier.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(key)) {
                        return e.getValue();
                    }
                }
            }
            return v;
        }
    };

    private static final TextMapGetter<Map<String, SQSEvent.MessageAttribute>> SQS_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, SQSEvent.MessageAttribute> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, SQSEvent.MessageAttribute> carrier, String key) {
            SQSEvent.MessageAttribute a = carrier == null ? null : carrier.get(key);
            return a == null ? null : a.getStringValue();
        }
    };
}

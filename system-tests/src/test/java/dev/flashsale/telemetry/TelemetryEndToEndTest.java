package dev.flashsale.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.flashsale.config.Config;
import dev.flashsale.confirm.ConfirmEnvironment;
import dev.flashsale.confirm.ConfirmInit;
import dev.flashsale.confirm.ConfirmInvoker;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.json.Json;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.reserve.ReserveHandler;
import dev.flashsale.reserve.ReserveInvoker;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.log.JsonLog;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One reservation traced end to end through the real Redis, ElasticMQ and PostgreSQL (reserve invoker → SQS message
 * with traceparent → confirm invoker → order row), the metric values after a small crowd, and the JSON log lines.
 */
class TelemetryEndToEndTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader reserveMetrics = InMemoryMetricReader.create();
    private final InMemoryMetricReader confirmMetrics = InMemoryMetricReader.create();
    private final Telemetry reserveTelemetry =
            Telemetry.create("reserve", SimpleSpanProcessor.create(spans), reserveMetrics);
    private final Telemetry confirmTelemetry =
            Telemetry.create("confirm", SimpleSpanProcessor.create(spans), confirmMetrics);
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private AutoCloseable logCapture;

    @BeforeEach
    void captureLogs() {
        logCapture = JsonLog.tee(logLines::add);
    }

    @AfterEach
    void stopCapture() throws Exception {
        logCapture.close();
        reserveTelemetry.close();
        confirmTelemetry.close();
    }

    @Test
    void oneReservation_isOneTrace_fromTheRequestThroughTheQueueToTheOrderRow() {
        try (TestStack stack = TestStack.create();
                ReserveFixture reserve = ReserveFixture.withTelemetry(reserveTelemetry, Map.of())) {
            Sale sale = stack.newSale(5, 2, 2);
            ConfirmInit confirmInit = new ConfirmInit(ConfirmEnvironment.from(confirmConfig()), confirmTelemetry);
            ConfirmInvoker confirm = confirmInit.invoker();
            spans.reset();

            // 1. The buyer reserves: 201.
            APIGatewayV2HTTPResponse response = reserve.reserve(sale.id(), "buyer-secret-7", "key-1", 2);
            assertThat(response.getStatusCode()).isEqualTo(201);
            String reservationId = (String) HttpApi.body(response).get("reservationId");

            // 2. The reserve trace: a server span with the Redis script and the SQS send as its children.
            SpanData server = only(s -> s.getKind() == SpanKind.SERVER);
            assertThat(server.getName()).isEqualTo("POST /sales/{saleId}/reservations");
            assertThat(server.getParentSpanContext().isValid()).isFalse();
            assertThat(attr(server, "http.request.method")).isEqualTo("POST");
            assertThat(attr(server, "http.route")).isEqualTo("/sales/{saleId}/reservations");
            assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                    .isEqualTo(201L);
            assertThat(attr(server, "flashsale.sale_id")).isEqualTo(sale.id());
            assertThat(server.getAttributes().get(AttributeKey.longKey("flashsale.quantity")))
                    .isEqualTo(2L);
            assertThat(attr(server, "flashsale.outcome")).isEqualTo("held");
            assertThat(attr(server, "flashsale.reservation_id")).isEqualTo(reservationId);
            assertThat(attr(server, "flashsale.buyer_hash"))
                    .isEqualTo(Invocation.hash("buyer-secret-7"))
                    .hasSize(16);
            assertThat(server.getResource().getAttribute(AttributeKey.stringKey("service.name")))
                    .isEqualTo("reserve");
            assertThat(spans.getFinishedSpanItems())
                    .allSatisfy(s -> assertThat(s.getAttributes().asMap().values())
                            .noneMatch(v -> v.toString().contains("buyer-secret-7")));

            SpanData script = only(s -> s.getName().equals("EVALSHA reserve"));
            assertThat(script.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(script.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(script.getTraceId()).isEqualTo(server.getTraceId());
            assertThat(attr(script, "db.system")).isEqualTo("redis");
            assertThat(attr(script, "flashsale.script")).isEqualTo("reserve");

            SpanData send = only(s -> s.getKind() == SpanKind.PRODUCER);
            assertThat(send.getName()).isEqualTo("send " + queueName(reserve.queueUrl));
            assertThat(send.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(attr(send, "messaging.system")).isEqualTo("aws_sqs");
            assertThat(attr(send, "messaging.message.id")).isNotBlank();

            // 3. The real message carries the producer span's context; the body is the unchanged v1 message.
            List<Message> messages = TestQueue.client()
                    .receiveMessage(b -> b.queueUrl(reserve.queueUrl)
                            .messageAttributeNames("All")
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1))
                    .messages();
            assertThat(messages).hasSize(1);
            Message message = messages.get(0);
            assertThat(message.messageAttributes().get("traceparent").stringValue())
                    .isEqualTo("00-" + send.getTraceId() + "-" + send.getSpanId() + "-01");
            assertThat(Json.readObject(message.body()))
                    .containsOnlyKeys(
                            "version",
                            "reservationId",
                            "saleId",
                            "buyerId",
                            "quantity",
                            "heldAt",
                            "expiresAt",
                            "idempotencyKey");

            // 4. The confirm function consumes it: its span joins the reservation's trace under the producer span.
            spans.reset();
            SQSBatchResponse batch = confirm.handleRequest(SqsEvents.fromQueue(messages), Lambda.context());
            assertThat(batch.getBatchItemFailures()).isEmpty();

            SpanData consumer = only(s -> s.getKind() == SpanKind.CONSUMER);
            assertThat(consumer.getName()).isEqualTo("process flashsale-confirm");
            assertThat(consumer.getTraceId()).isEqualTo(server.getTraceId());
            assertThat(consumer.getParentSpanId()).isEqualTo(send.getSpanId());
            assertThat(consumer.getParentSpanContext().isRemote()).isTrue();
            assertThat(attr(consumer, "flashsale.outcome")).isEqualTo("confirmed");
            assertThat(attr(consumer, "flashsale.reservation_id")).isEqualTo(reservationId);
            assertThat(attr(consumer, "messaging.message.id")).isEqualTo(message.messageId());
            assertThat(consumer.getResource().getAttribute(AttributeKey.stringKey("service.name")))
                    .isEqualTo("confirm");

            SpanData db = only(s -> s.getName().equals("order.confirm"));
            assertThat(db.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(db.getParentSpanId()).isEqualTo(consumer.getSpanId());
            assertThat(db.getTraceId()).isEqualTo(server.getTraceId());
            assertThat(attr(db, "db.system")).isEqualTo("postgresql");
            List<String> consumerChildren = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getParentSpanId().equals(consumer.getSpanId()))
                    .map(SpanData::getName)
                    .toList();
            assertThat(consumerChildren).containsExactly("EVALSHA claim", "order.confirm", "EVALSHA settle");

            // 5. And the order row exists.
            assertThat(stack.fence.find(reservationId)).contains(new OrderDecision.Ordered(false));

            // 6. Both summary lines carry their span's trace id: one trace id from request to order in the logs too.
            Map<String, Object> reserveLine =
                    logLine(l -> "invocation".equals(l.get("event")) && "reserve".equals(l.get("function")));
            Map<String, Object> confirmLine =
                    logLine(l -> "invocation".equals(l.get("event")) && "confirm".equals(l.get("function")));
            assertThat(reserveLine)
                    .containsEntry("trace_id", server.getTraceId())
                    .containsEntry("span_id", server.getSpanId());
            assertThat(confirmLine)
                    .containsEntry("trace_id", server.getTraceId())
                    .containsEntry("span_id", consumer.getSpanId())
                    .containsEntry("outcome", "confirmed")
                    .containsEntry("reservation_id", reservationId);
        }
    }

    @Test
    void aCrowdOfTwentyForTenUnits_countsTenAcceptedAndTenSoldOut_thenTenConfirmed() {
        try (TestStack stack = TestStack.create();
                ReserveFixture reserve = ReserveFixture.withTelemetry(
                        reserveTelemetry,
                        Map.of(
                                "SOLD_OUT_CACHE_TTL",
                                "0"))) { // the sold-out fast path would answer the replay below 409
            Sale sale = stack.newSale(10, 1, 1);
            ConfirmInvoker confirm =
                    new ConfirmInit(ConfirmEnvironment.from(confirmConfig()), confirmTelemetry).invoker();

            List<Integer> statuses = java.util.stream.IntStream.range(0, 20)
                    .parallel()
                    .mapToObj(i -> reserve.reserve(sale.id(), "crowd-" + i, "k-" + i, 1)
                            .getStatusCode())
                    .toList();
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(10);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(10);
            // and one replay of a held key
            int held = statuses.indexOf(201);
            assertThat(reserve.reserve(sale.id(), "crowd-" + held, "k-" + held, 1)
                            .getStatusCode())
                    .isEqualTo(200);

            Map<String, Long> reservations = counts(reserveMetrics.collectAllMetrics(), "flashsale.reservations");
            assertThat(reservations.get("accepted")).isEqualTo(10);
            assertThat(reservations.get("sold_out")).isEqualTo(10);
            assertThat(reservations.get("replayed")).isEqualTo(1);
            long invocations =
                    reservations.values().stream().mapToLong(Long::longValue).sum();
            assertThat(histogramCount(reserveMetrics.collectAllMetrics(), "flashsale.handler.duration"))
                    .isEqualTo(invocations);

            int polled = 0;
            while (polled < 11) {
                SqsEvents.Poll poll = SqsEvents.poll(reserve.queueUrl, confirm);
                if (poll.received() == 0) {
                    break;
                }
                polled += poll.received();
            }
            Map<String, Long> confirmations = counts(confirmMetrics.collectAllMetrics(), "flashsale.confirmations");
            assertThat(confirmations.get("confirmed")).isEqualTo(10);
            assertThat(confirmations.getOrDefault("already_confirmed", 0L)).isEqualTo(polled - 10);
            new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), false);
        }
    }

    @Test
    void logs_refusalsWithoutStackTraces_unexpectedErrorsWithTheirCause_allAsJson() {
        try (TestStack stack = TestStack.create();
                ReserveFixture reserve = ReserveFixture.withTelemetry(reserveTelemetry, Map.of())) {
            Sale sale = stack.newSale(10, 1, 1);

            // 1. A client error: 400 and one INFO summary line without any error fields.
            assertThat(reserve.post(sale.id(), "b1", "k1", "{\"quantity\":\"two\"}")
                            .getStatusCode())
                    .isEqualTo(400);
            Map<String, Object> refused = logLine(l -> "invalid-request".equals(l.get("outcome")));
            assertThat(refused)
                    .containsEntry("level", "INFO")
                    .containsEntry("function", "reserve")
                    .containsEntry("message", "POST /sales/{saleId}/reservations")
                    .doesNotContainKeys("error_stack", "error_type");
            assertThat(refused.get("request_id").toString())
                    .as("the Lambda request id")
                    .matches("[0-9a-f-]{36}");
            assertThat(refused.get("duration_ms")).isInstanceOf(Number.class);
            assertThat(refused.get("trace_id").toString()).matches("[0-9a-f]{32}");
            assertThat(refused.get("span_id").toString()).matches("[0-9a-f]{16}");
            assertThat(refused.get("timestamp").toString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(logLines).noneMatch(l -> l.contains("\"level\":\"WARN\"") || l.contains("\"level\":\"ERROR\""));

            // 2. An unexpected failure (the queue throws a bug, not an outage): 500, the error with its cause, and an
            //    ERROR summary, both in the request's trace.
            ConfirmationQueue broken = m -> {
                throw new IllegalStateException("queue client bug", new ArithmeticException("root cause"));
            };
            ReserveInvoker failing = new ReserveInvoker(
                    new dev.flashsale.reserve.ReserveRequestReader(
                            false,
                            1024,
                            new dev.flashsale.admission.Tickets(
                                    dev.flashsale.admission.TicketKey.of("telemetry-test-key-0123456789")),
                            java.time.Clock.systemUTC()),
                    new ReserveHandler(
                            new dev.flashsale.reservation.ReservationStore(
                                    reserve.redis,
                                    new dev.flashsale.reservation.ReservationPolicy(
                                            Duration.ofMinutes(10),
                                            1000,
                                            1000,
                                            Duration.ofDays(1),
                                            Duration.ofSeconds(5)),
                                    dev.flashsale.redis.ReplicaAck.NONE),
                            broken,
                            new ExpiringIds(Clock.systemUTC(), Duration.ZERO),
                            reserve.init.loader()),
                    reserveTelemetry);
            assertThat(failing.handleRequest(
                                    HttpApi.reserve(sale.id(), "b2", "k2", "{\"quantity\":1}"), Lambda.context())
                            .getStatusCode())
                    .isEqualTo(500);
            Map<String, Object> error = logLine(l -> "ERROR".equals(l.get("level")) && l.containsKey("error_type"));
            assertThat(error)
                    .containsEntry("error_type", "java.lang.IllegalStateException")
                    .containsEntry("error_message", "queue client bug")
                    .containsEntry("sale_id", sale.id())
                    .containsEntry("function", "reserve");
            assertThat(error.get("error_cause").toString()).contains("ArithmeticException: root cause");
            assertThat(error.get("error_stack").toString()).contains("at dev.flashsale.reserve.ReserveHandler.reserve");
            Map<String, Object> summary = logLine(l -> "internal-error".equals(l.get("outcome")));
            assertThat(summary)
                    .containsEntry("level", "ERROR")
                    .containsEntry("trace_id", error.get("trace_id"))
                    .containsEntry("span_id", error.get("span_id"));
        }
    }

    private static Config confirmConfig() {
        return Config.of(TestStack.environment(Map.of("CLAIM_TTL", "5m")));
    }

    private SpanData only(Predicate<SpanData> which) {
        List<SpanData> found =
                spans.getFinishedSpanItems().stream().filter(which).toList();
        assertThat(found).as("spans %s", spans.getFinishedSpanItems()).hasSize(1);
        return found.get(0);
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private Map<String, Object> logLine(Predicate<Map<String, Object>> which) {
        List<Map<String, Object>> parsed;
        synchronized (logLines) {
            parsed = logLines.stream()
                    .map(l -> {
                        assertThat(l).endsWith("\n").doesNotContain("\n{");
                        return Json.readObject(l.strip());
                    })
                    .toList();
        }
        Optional<Map<String, Object>> line = parsed.stream().filter(which).findFirst();
        assertThat(line).as("log lines %s", logLines).isPresent();
        return line.get();
    }

    private static Map<String, Long> counts(java.util.Collection<MetricData> metrics, String name) {
        Map<String, Long> byOutcome = new java.util.HashMap<>();
        for (MetricData m : metrics) {
            if (m.getName().equals(name)) {
                for (LongPointData p : m.getLongSumData().getPoints()) {
                    byOutcome.put(p.getAttributes().get(AttributeKey.stringKey("outcome")), p.getValue());
                }
            }
        }
        return byOutcome;
    }

    private static long histogramCount(java.util.Collection<MetricData> metrics, String name) {
        return metrics.stream()
                .filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getHistogramData().getPoints().stream())
                .mapToLong(HistogramPointData::getCount)
                .sum();
    }

    private static String queueName(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}

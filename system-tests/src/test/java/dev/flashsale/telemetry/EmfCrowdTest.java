package dev.flashsale.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flashsale.config.Config;
import dev.flashsale.confirm.ConfirmInit;
import dev.flashsale.confirm.ConfirmInvoker;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.emf.EmfMetricExporter;
import dev.flashsale.telemetry.emf.EmfSpec;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A crowd through the real reserve and confirm invokers (real Redis, ElasticMQ and PostgreSQL) with metrics going out
 * as CloudWatch embedded metric format: every line must be a valid EMF document, and the values CloudWatch would sum
 * must be the crowd's: 10 units held and confirmed for 20 buyers, 10 sold out, 1 replay, 0 units left, a lag per record.
 */
class EmfCrowdTest {

    private static final String NAMESPACE = "flashsale/emf-crowd-test";

    private final List<String> reserveLines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> confirmLines = Collections.synchronizedList(new ArrayList<>());
    // interval 0 (Telemetry.create): every invocation exports its delta, as many environments would over a sale
    private final Telemetry reserveTelemetry = Telemetry.create(
            "reserve",
            null,
            PeriodicMetricReader.builder(new EmfMetricExporter(NAMESPACE, reserveLines::add))
                    .build());
    private final Telemetry confirmTelemetry = Telemetry.create(
            "confirm",
            null,
            PeriodicMetricReader.builder(new EmfMetricExporter(NAMESPACE, confirmLines::add))
                    .build());

    @AfterEach
    void close() {
        reserveTelemetry.close();
        confirmTelemetry.close();
    }

    @Test
    void aCrowdOfTwentyForTenUnits_inEmf_sumsToTheCrowdsOutcomes() {
        long started = System.currentTimeMillis();
        try (TestStack stack = TestStack.create();
                ReserveFixture reserve =
                        ReserveFixture.withTelemetry(reserveTelemetry, Map.of("SOLD_OUT_CACHE_TTL", "0"))) {
            Sale sale = stack.newSale(10, 1, 1);
            ConfirmInvoker confirm = new ConfirmInit(
                            dev.flashsale.confirm.ConfirmEnvironment.from(
                                    Config.of(TestStack.environment(Map.of("CLAIM_TTL", "5m")))),
                            confirmTelemetry)
                    .invoker();

            // 1. Twenty buyers at once for ten units, then one replay of a held key.
            List<Integer> statuses = IntStream.range(0, 20)
                    .parallel()
                    .mapToObj(i ->
                            reserve.reserve(sale.id(), "emf-" + i, "k-" + i, 1).getStatusCode())
                    .toList();
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(10);
            int held = statuses.indexOf(201);
            assertThat(reserve.reserve(sale.id(), "emf-" + held, "k-" + held, 1).getStatusCode())
                    .isEqualTo(200);

            // 2. The confirmer takes the queue as Lambda's poller would hand it over (SentTimestamp included).
            int confirmedRecords = 0;
            for (int polls = 0; polls < 20 && confirmedRecords < 11; polls++) {
                List<Message> batch = TestQueue.client()
                        .receiveMessage(b -> b.queueUrl(reserve.queueUrl)
                                .maxNumberOfMessages(10)
                                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                                .messageAttributeNames("All")
                                .waitTimeSeconds(1))
                        .messages();
                if (batch.isEmpty()) {
                    break;
                }
                SQSEvent event = SqsEvents.fromQueue(batch);
                for (int i = 0; i < batch.size(); i++) {
                    event.getRecords()
                            .get(i)
                            .getAttributes()
                            .put(
                                    "SentTimestamp",
                                    batch.get(i).attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP));
                }
                assertThat(confirm.handleRequest(event, Lambda.context()).getBatchItemFailures())
                        .isEmpty();
                batch.forEach(m -> TestQueue.client()
                        .deleteMessage(b -> b.queueUrl(reserve.queueUrl).receiptHandle(m.receiptHandle())));
                confirmedRecords += batch.size();
            }
            reserveTelemetry.flushMetrics();
            confirmTelemetry.flushMetrics();

            // 3. Every line is an EMF document; together they hold the crowd's figures.
            List<EmfSpec.Metric> reserveMetrics = EmfSpec.metrics(List.copyOf(reserveLines));
            List<EmfSpec.Metric> confirmMetrics = EmfSpec.metrics(List.copyOf(confirmLines));
            assertThat(reserveLines)
                    .as("deltas exported invocation by invocation")
                    .hasSizeGreaterThan(10);
            assertThat(reserveMetrics).extracting(EmfSpec.Metric::namespace).containsOnly(NAMESPACE);
            assertThat(reserveMetrics)
                    .allSatisfy(m -> assertThat(m.timestamp()).isBetween(started, System.currentTimeMillis()));

            assertThat(EmfSpec.sumBy(reserveMetrics, "flashsale.reservations", "outcome"))
                    .isEqualTo(Map.of("accepted", 10.0, "sold_out", 10.0, "replayed", 1.0));
            assertThat(reserveMetrics)
                    .filteredOn(m -> m.name().equals(Telemetry.UNITS))
                    .allSatisfy(m ->
                            assertThat(m.dimensions()).isEqualTo(Map.of("sale_id", sale.id(), "outcome", "reserved")));
            assertThat(EmfSpec.sumBy(reserveMetrics, Telemetry.UNITS, "sale_id"))
                    .isEqualTo(Map.of(sale.id(), 10.0));
            List<EmfSpec.Metric> left = reserveMetrics.stream()
                    .filter(m -> m.name().equals(Telemetry.UNITS_LEFT))
                    .toList();
            assertThat(left).allSatisfy(m -> assertThat(m.dimensions()).isEqualTo(Map.of("sale_id", sale.id())));
            assertThat(left.get(left.size() - 1).values())
                    .as("units left after the replay")
                    .containsExactly(0.0);
            assertThat(reserveMetrics)
                    .filteredOn(m -> m.name().equals("flashsale.handler.duration"))
                    .allSatisfy(m -> assertThat(m.dimensions())
                            .containsEntry("function", "reserve")
                            .containsKey("outcome"))
                    .flatExtracting(EmfSpec.Metric::values)
                    .hasSize(21)
                    .allSatisfy(v -> assertThat(v).isPositive());

            assertThat(EmfSpec.sumBy(confirmMetrics, "flashsale.confirmations", "outcome"))
                    .containsEntry("confirmed", 10.0);
            assertThat(EmfSpec.sumBy(confirmMetrics, Telemetry.UNITS, "outcome"))
                    .isEqualTo(Map.of("confirmed", 10.0));
            List<Double> lag = confirmMetrics.stream()
                    .filter(m -> m.name().equals("flashsale.confirmations" + Telemetry.LAG_SUFFIX)
                            && m.dimensions().get("outcome").equals("confirmed"))
                    .flatMap(m -> m.values().stream())
                    .toList();
            assertThat(lag)
                    .as("a lag per confirmed record, from its send to its order")
                    .hasSize(10)
                    .allSatisfy(ms -> assertThat(ms).isBetween(0.0, (double) (System.currentTimeMillis() - started)));
            new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), false);
        }
    }
}

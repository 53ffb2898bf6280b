package dev.flashsale.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an operator watches per sale: units reserved and confirmed, units left, and how long confirmations wait. */
class SaleMetricsTest {

    private static final dev.flashsale.init.InvocationContext CONTEXT =
            new dev.flashsale.init.InvocationContext("test", "us-east-1", java.time.Duration.ofMinutes(15));

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final Telemetry reserve = Telemetry.create("reserve", null, metrics);

    @Test
    void aHold_countsItsUnitsAsReserved_andSetsTheUnitsLeftTheBuyerWasTold() {
        answer(
                "s1",
                2,
                201,
                "{\"reservationId\":\"r1\",\"saleId\":\"s1\",\"quantity\":2,\"status\":\"HELD\",\"remaining\":8}");
        answer("s1", 1, 409, "{\"type\":\"urn:flashsale:problem:sold-out\",\"status\":409,\"remaining\":0}");
        answer("s1", 1, 400, "{\"type\":\"urn:flashsale:problem:invalid-quantity\",\"status\":400}");

        List<MetricData> all = List.copyOf(metrics.collectAllMetrics());
        assertThat(longs(all, Telemetry.UNITS)).containsExactly(Map.entry("s1/reserved", 2L));
        assertThat(longs(all, Telemetry.UNITS_LEFT)).containsExactly(Map.entry("s1/", 0L));
        assertThat(all)
                .filteredOn(m -> m.getName().equals("flashsale.handler.duration"))
                .flatExtracting(m -> m.getHistogramData().getPoints())
                .allSatisfy(p ->
                        assertThat(p.getAttributes().get(Telemetry.FUNCTION)).isEqualTo("reserve"));
    }

    @Test
    void aConfirmedRecord_countsItsUnits_andItsLagFromTheMessagesSentTimestamp() {
        InMemoryMetricReader confirmMetrics = InMemoryMetricReader.create();
        Telemetry confirm = Telemetry.create("confirm", null, confirmMetrics);
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("m1");
        record.setAttributes(Map.of("SentTimestamp", Long.toString(System.currentTimeMillis() - 1500)));
        try (Invocation inv = confirm.record(record, CONTEXT, "flashsale.confirmations")) {
            inv.saleId("s1").quantity(3).outcome("confirmed");
        }
        try (Invocation inv = confirm.record(new SQSEvent.SQSMessage(), CONTEXT, "flashsale.confirmations")) {
            inv.saleId("s1").quantity(1).outcome("already-confirmed"); // no SentTimestamp: no lag; not a new order
        }

        List<MetricData> all = List.copyOf(confirmMetrics.collectAllMetrics());
        assertThat(longs(all, Telemetry.UNITS)).containsExactly(Map.entry("s1/confirmed", 3L));
        var lag = all.stream()
                .filter(m -> m.getName().equals("flashsale.confirmations" + Telemetry.LAG_SUFFIX))
                .flatMap(m -> m.getHistogramData().getPoints().stream())
                .toList();
        assertThat(lag).singleElement().satisfies(p -> {
            assertThat(p.getCount()).isEqualTo(1);
            assertThat(p.getAttributes().get(Telemetry.OUTCOME)).isEqualTo("confirmed");
            assertThat(p.getMin()).isBetween(1500.0, 60_000.0);
        });
    }

    @Test
    void remaining_isReadFromTheAnswerWithoutParsingIt() {
        assertThat(LambdaInvocations.remaining("{\"a\":1,\"remaining\":42,\"b\":2}"))
                .isEqualTo(42);
        assertThat(LambdaInvocations.remaining("{\"remaining\":0}")).isZero();
        assertThat(LambdaInvocations.remaining("{\"stock\":5}")).isEqualTo(-1);
        assertThat(LambdaInvocations.remaining("{\"remaining\":\"x\"}")).isEqualTo(-1);
        assertThat(LambdaInvocations.remaining(null)).isEqualTo(-1);
    }

    private void answer(String saleId, int quantity, int status, String body) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRouteKey("POST /sales/{saleId}/reservations");
        event.setRawPath("/sales/" + saleId + "/reservations");
        event.setHeaders(new HashMap<>());
        reserve.http(event, CONTEXT, "flashsale.reservations", inv -> {
            inv.saleId(saleId).quantity(quantity);
            if (status == 201) {
                inv.outcome("held"); // as the reserve invoker says of a new hold
            }
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(status)
                    .withBody(body)
                    .build();
        });
    }

    /** A long metric's points as {@code sale_id/outcome → value}. */
    private static Map<String, Long> longs(List<MetricData> all, String name) {
        Map<String, Long> out = new HashMap<>();
        for (MetricData m : all) {
            if (!m.getName().equals(name)) {
                continue;
            }
            var points = m.getType() == io.opentelemetry.sdk.metrics.data.MetricDataType.LONG_GAUGE
                    ? m.getLongGaugeData().getPoints()
                    : m.getLongSumData().getPoints();
            points.forEach(p -> out.put(
                    p.getAttributes().get(AttributeKey.stringKey("sale_id")) + "/"
                            + (p.getAttributes().get(Telemetry.OUTCOME) == null
                                    ? ""
                                    : p.getAttributes().get(Telemetry.OUTCOME)),
                    p.getValue()));
        }
        return out;
    }
}

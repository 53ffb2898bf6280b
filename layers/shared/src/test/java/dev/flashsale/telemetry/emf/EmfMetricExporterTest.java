package dev.flashsale.telemetry.emf;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exporter through the SDK's real metric pipeline, every line checked against the EMF specification. */
class EmfMetricExporterTest {

    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final SdkMeterProvider provider = SdkMeterProvider.builder()
            .registerMetricReader(PeriodicMetricReader.builder(new EmfMetricExporter("flashsale/test", lines::add))
                    .build())
            .build();
    private final Meter meter = provider.get("test");

    @AfterEach
    void close() {
        provider.close();
    }

    /** The lines one export wrote. */
    private List<String> export() {
        provider.forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);
        List<String> written = List.copyOf(lines);
        lines.clear();
        return written;
    }

    private List<EmfSpec.Metric> flush() {
        return EmfSpec.metrics(export());
    }

    @Test
    void pointsWithTheSameAttributes_shareADocument_whoseDimensionsAreTheAttributes() {
        Attributes accepted = Attributes.of(OUTCOME, "accepted", AttributeKey.stringKey("function"), "reserve");
        meter.counterBuilder("flashsale.reservations").build().add(3, accepted);
        meter.histogramBuilder("flashsale.handler.duration")
                .setUnit("ms")
                .build()
                .record(2.5, accepted);
        meter.counterBuilder("flashsale.reservations")
                .build()
                .add(1, Attributes.of(OUTCOME, "sold_out", AttributeKey.stringKey("function"), "reserve"));

        assertThat(lines).as("nothing before the export").isEmpty();
        List<String> documents = export();
        List<EmfSpec.Metric> metrics = EmfSpec.metrics(documents);

        assertThat(documents).as("one document per attribute set").hasSize(2);
        assertThat(metrics).extracting(EmfSpec.Metric::namespace).containsOnly("flashsale/test");
        EmfSpec.Metric count = metrics.stream()
                .filter(m -> m.name().equals("flashsale.reservations")
                        && m.dimensions().get("outcome").equals("accepted"))
                .findFirst()
                .orElseThrow();
        assertThat(count.dimensions()).isEqualTo(Map.of("outcome", "accepted", "function", "reserve"));
        assertThat(count.values()).containsExactly(3.0);
        assertThat(count.unit()).isEqualTo("Count");
        EmfSpec.Metric duration = metrics.stream()
                .filter(m -> m.name().equals("flashsale.handler.duration"))
                .findFirst()
                .orElseThrow();
        assertThat(duration.unit()).isEqualTo("Milliseconds");
        assertThat(duration.values()).containsExactly(2.5);
        assertThat(duration.timestamp()).isEqualTo(count.timestamp());
        assertThat(EmfSpec.sumBy(metrics, "flashsale.reservations", "outcome"))
                .isEqualTo(Map.of("accepted", 3.0, "sold_out", 1.0));
    }

    @Test
    void everyExportCarriesWhatHappenedSinceTheLast_soEnvironmentsAddUp() {
        var counter = meter.counterBuilder("flashsale.units").build();
        Attributes sale = Attributes.of(AttributeKey.stringKey("sale_id"), "s1", OUTCOME, "reserved");
        counter.add(5, sale);
        assertThat(EmfSpec.sumBy(flush(), "flashsale.units", "sale_id")).isEqualTo(Map.of("s1", 5.0));

        counter.add(2, sale);
        assertThat(EmfSpec.sumBy(flush(), "flashsale.units", "sale_id")).isEqualTo(Map.of("s1", 2.0));
        assertThat(flush()).as("nothing new: nothing written").isEmpty();
    }

    @Test
    void aGaugeAtZeroIsWritten_aCounterOfZeroIsNot() {
        meter.gaugeBuilder("flashsale.sale.units_left")
                .ofLongs()
                .build()
                .set(0, Attributes.of(AttributeKey.stringKey("sale_id"), "s1"));
        meter.counterBuilder("flashsale.units").build().add(0, Attributes.of(AttributeKey.stringKey("sale_id"), "s1"));
        List<EmfSpec.Metric> metrics = flush();
        assertThat(metrics).extracting(EmfSpec.Metric::name).containsExactly("flashsale.sale.units_left");
        assertThat(metrics.get(0).values()).containsExactly(0.0);
    }

    @Test
    void aHistogram_isWrittenAsValueArraysOfAtMostAHundred_withItsCountExtremesAndPercentiles() {
        var latency = meter.histogramBuilder("flashsale.handler.duration")
                .setUnit("ms")
                .build();
        IntStream.rangeClosed(1, 1000).forEach(ms -> latency.record(ms, Attributes.of(OUTCOME, "accepted")));

        List<EmfSpec.Metric> metrics = flush();

        assertThat(metrics).hasSize(10).allSatisfy(m -> assertThat(m.values()).hasSize(100));
        List<Double> values =
                metrics.stream().flatMap(m -> m.values().stream()).sorted().toList();
        assertThat(values).hasSize(1000);
        assertThat(values.get(0)).isEqualTo(1.0);
        assertThat(values.get(999)).isEqualTo(1000.0);
        // base-2 exponential buckets of at most 160 over 1..1000: each value within a few percent of the recorded one
        assertThat(values.get(989)).as("p99").isCloseTo(990.0, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(values.get(499)).as("p50").isCloseTo(500.0, org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void limits_aHundredMetricsPerDocument_nineDimensionsPerSet_theRestPlainMembers() {
        for (int i = 0; i < 150; i++) {
            meter.counterBuilder("m" + i).build().add(1, Attributes.of(OUTCOME, "x"));
        }
        AttributesBuilder many = Attributes.builder();
        for (int i = 0; i < 12; i++) {
            many.put("k" + (char) ('a' + i), "v" + i);
        }
        meter.counterBuilder("wide").build().add(1, many.build());
        List<String> documents = export();

        assertThat(EmfSpec.metrics(documents)).hasSize(151);
        assertThat(documents)
                .as("150 metrics of one attribute set in 2 documents, the wide one in a third")
                .hasSize(3);
        assertThat(documents)
                .filteredOn(l -> l.contains("\"wide\""))
                .singleElement()
                .asString()
                .contains("\"Dimensions\":[[\"ka\",\"kb\",\"kc\",\"kd\",\"ke\",\"kf\",\"kg\",\"kh\",\"ki\"]]")
                .contains("\"kl\":\"v11\"");
    }

    @Test
    void units_fromOpenTelemetryToCloudWatch() {
        meter.counterBuilder("a").setUnit("{hold}").build().add(1);
        meter.histogramBuilder("b").setUnit("s").build().record(1);
        meter.gaugeBuilder("c").setUnit("By").build().set(1);
        meter.gaugeBuilder("d").setUnit("furlong").build().set(1);
        meter.gaugeBuilder("e").build().set(Double.NaN);
        List<EmfSpec.Metric> metrics = flush();
        assertThat(metrics)
                .extracting(m -> m.name() + "=" + m.unit())
                .containsExactlyInAnyOrder("a=Count", "b=Seconds", "c=Bytes", "d=None");
    }
}

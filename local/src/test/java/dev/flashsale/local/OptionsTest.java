package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.local.simulate.SimulationOptions;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code with...} methods of the runner's and the simulator's options, which the command line is parsed into. */
class OptionsTest {

    @Test
    void eachLocalOptionsWither_changesItsOwnOption_only() {
        LocalOptions d = LocalOptions.defaults();
        PrintStream log = new PrintStream(PrintStream.nullOutputStream());
        changesOnly(d, d.withTemplate(Path.of("t.yaml")), "template", Path.of("t.yaml"));
        changesOnly(d, d.withPort(0), "port", 0);
        changesOnly(d, d.withHttpThreads(8), "httpThreads", 8);
        changesOnly(d, d.withEnvOverrides(Map.of("A", "1")), "envOverrides", Map.of("A", "1"));
        changesOnly(d, d.withScheduleEvery(Duration.ofSeconds(2)), "scheduleEvery", Optional.of(Duration.ofSeconds(2)));
        changesOnly(d, d.withDatabaseName("other"), "databaseName", "other");
        changesOnly(d, d.withLog(log), "log", log);
        changesOnly(d, d.withQuiet(true), "quiet", true);
    }

    @Test
    void eachSimulationOptionsWither_changesItsOwnOption_only() {
        SimulationOptions d = SimulationOptions.defaults();
        changesOnly(d, d.withBuyers(10), "buyers", 10);
        changesOnly(d, d.withStock(20), "stock", 20);
        changesOnly(d, d.withConcurrency(3), "concurrency", 3);
        changesOnly(d, d.withAttempts(4), "attempts", 4);
        changesOnly(d, d.withQuantity(5), "quantity", 5);
        changesOnly(d, d.withDuration(Duration.ofSeconds(6)), "duration", Duration.ofSeconds(6));
        changesOnly(d, d.withDrainTimeout(Duration.ofSeconds(7)), "drainTimeout", Duration.ofSeconds(7));
        changesOnly(d, d.withOut(Path.of("out")), "out", Optional.of(Path.of("out")));
        changesOnly(d, d.withTicketed(true), "ticketed", true);
        changesOnly(d, d.withPollCap(Duration.ofMillis(500)), "pollCap", Duration.ofMillis(500));
        changesOnly(d, d.withNoShowPercent(25), "noShowPercent", 25);
        changesOnly(d, d.withBuckets(3), "buckets", 3);
        URI url = URI.create("http://127.0.0.1:3000");
        changesOnly(d, d.withUrl(url), "url", Optional.of(url));
    }

    @Test
    void aSimulationOptionsWither_checksTheBounds() {
        SimulationOptions d = SimulationOptions.defaults();
        assertThatThrownBy(() -> d.withBuyers(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--buyers must be in 1..1000000, was 0");
        assertThatThrownBy(() -> d.withDuration(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--duration must be between 1s and 10m");
        assertThatThrownBy(() -> d.withBuckets(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--buckets must be in 1..16, was 0");
        assertThatThrownBy(() -> d.withBuckets(17))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--buckets must be in 1..16, was 17");
        assertThatThrownBy(() -> d.withBuckets(2).withTicketed(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--buckets is for open sales, not with --ticketed");
        assertThatThrownBy(() -> d.withTicketed(true).withBuckets(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--buckets is for open sales, not with --ticketed");
        assertThat(d.withTicketed(true).withBuckets(1).buckets()).isEqualTo(1);
    }

    private static <T> void changesOnly(T before, T changed, String option, Object value) {
        assertThat(changed).extracting(option).as(option).isEqualTo(value);
        assertThat(changed)
                .usingRecursiveComparison()
                .ignoringFields(option)
                .as("all but " + option)
                .isEqualTo(before);
    }
}

package dev.flashsale.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    private static final Duration MIN = Duration.ofMillis(1);
    private static final Duration MAX = Duration.ofDays(30);

    private static Config with(String name, String value) {
        return Config.of(Map.of(name, value));
    }

    @Test
    void everyReader_returnsTheDefaultWhenUnsetOrBlank() {
        Config unset = Config.of(Map.of());
        Config blank = Config.of(Map.of("S", "  ", "I", "", "D", " \t", "B", " ", "T", ""));

        for (Config c : new Config[] {unset, blank}) {
            assertThat(c.optional("S")).isEmpty();
            assertThat(c.string("S", "fallback")).isEqualTo("fallback");
            assertThat(c.integer("I", 7, 0, 10)).isEqualTo(7);
            assertThat(c.decimal("D", 0.5, 0, 1)).isEqualTo(0.5);
            assertThat(c.bool("B", true)).isTrue();
            assertThat(c.bool("B", false)).isFalse();
            assertThat(c.duration("T", Duration.ofSeconds(3), MIN, MAX)).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void values_areTrimmed() {
        Config c = Config.of(Map.of("S", "  redis://h:6379 ", "I", " 42 ", "T", " 5s "));

        assertThat(c.string("S", "x")).isEqualTo("redis://h:6379");
        assertThat(c.integer("I", 0, 0, 100)).isEqualTo(42);
        assertThat(c.duration("T", Duration.ZERO, MIN, MAX)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void required_returnsTheValueOrNamesTheMissingVariable() {
        assertThat(with("REDIS_URL", "redis://h").required("REDIS_URL")).isEqualTo("redis://h");

        assertThatThrownBy(() -> Config.of(Map.of()).required("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL");
        assertThatThrownBy(() -> with("REDIS_URL", "   ").required("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL");
    }

    @Test
    void integer_acceptsTheBoundsAndRefusesOutsideThemNamingVariableAndRange() {
        assertThat(with("POOL", "1").integer("POOL", 5, 1, 64)).isEqualTo(1);
        assertThat(with("POOL", "64").integer("POOL", 5, 1, 64)).isEqualTo(64);

        assertThatThrownBy(() -> with("POOL", "0").integer("POOL", 5, 1, 64))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("POOL")
                .hasMessageContaining("[1, 64]")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> with("POOL", "65").integer("POOL", 5, 1, 64))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("POOL")
                .hasMessageContaining("[1, 64]")
                .hasMessageContaining("65");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "1.5", "1e3", "99999999999", "0x10"})
    void integer_refusesNonIntegersNamingVariableAndRange(String raw) {
        assertThatThrownBy(() -> with("POOL", raw).integer("POOL", 5, 1, 64))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("POOL")
                .hasMessageContaining("[1, 64]")
                .hasMessageContaining(raw);
    }

    @Test
    void decimal_acceptsTheBoundsAndRefusesOutsideThemNamingVariableAndRange() {
        assertThat(with("RATIO", "0").decimal("RATIO", 0.5, 0.0, 1.0)).isEqualTo(0.0);
        assertThat(with("RATIO", "1.0").decimal("RATIO", 0.5, 0.0, 1.0)).isEqualTo(1.0);
        assertThat(with("RATIO", "0.25").decimal("RATIO", 0.5, 0.0, 1.0)).isEqualTo(0.25);

        for (String raw : new String[] {"-0.01", "1.01", "NaN", "Infinity"}) {
            assertThatThrownBy(() -> with("RATIO", raw).decimal("RATIO", 0.5, 0.0, 1.0))
                    .as(raw)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("RATIO")
                    .hasMessageContaining("[0.0, 1.0]")
                    .hasMessageContaining(raw);
        }
        assertThatThrownBy(() -> with("RATIO", "half").decimal("RATIO", 0.5, 0.0, 1.0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RATIO")
                .hasMessageContaining("[0.0, 1.0]")
                .hasMessageContaining("half");
    }

    @ParameterizedTest
    @CsvSource({
        "true,true",
        "TRUE,true",
        "1,true",
        "yes,true",
        "On,true",
        "false,false",
        "False,false",
        "0,false",
        "no,false",
        "OFF,false"
    })
    void bool_acceptsTheUsualSpellings(String raw, boolean expected) {
        assertThat(with("DEV_MODE", raw).bool("DEV_MODE", !expected)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "2", "t", "y", "enabled"})
    void bool_refusesAnythingElseNamingTheVariable(String raw) {
        assertThatThrownBy(() -> with("DEV_MODE", raw).bool("DEV_MODE", false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DEV_MODE")
                .hasMessageContaining(raw);
    }

    @ParameterizedTest
    @CsvSource({
        "250ms, PT0.25S",
        "250,   PT0.25S",
        "5s,    PT5S",
        "5 s,   PT5S",
        "5S,    PT5S",
        "2m,    PT2M",
        "1h,    PT1H",
        "7d,    PT168H",
        "0,     PT0S"
    })
    void duration_acceptsUnitsAndBareMilliseconds(String raw, Duration expected) {
        assertThat(with("HOLD_TTL", raw).duration("HOLD_TTL", Duration.ofMinutes(10), Duration.ZERO, MAX))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x", "1.5s", "-5s", "s", "5 seconds", "PT5S", "5ms5"})
    void duration_refusesGarbageNamingTheVariable(String raw) {
        assertThatThrownBy(() -> with("HOLD_TTL", raw).duration("HOLD_TTL", Duration.ofMinutes(10), MIN, MAX))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HOLD_TTL")
                .hasMessageContaining(raw);
    }

    @Test
    void duration_refusesOutsideTheRangeNamingVariableAndBounds() {
        Duration min = Duration.ofSeconds(30);
        Duration max = Duration.ofMinutes(30);
        assertThat(with("HOLD_TTL", "30s").duration("HOLD_TTL", min, min, max)).isEqualTo(min);
        assertThat(with("HOLD_TTL", "30m").duration("HOLD_TTL", min, min, max)).isEqualTo(max);

        for (String raw : new String[] {"29999ms", "31m", "1d"}) {
            assertThatThrownBy(() -> with("HOLD_TTL", raw).duration("HOLD_TTL", min, min, max))
                    .as(raw)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("HOLD_TTL")
                    .hasMessageContaining("PT30S")
                    .hasMessageContaining("PT30M")
                    .hasMessageContaining(raw);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999999", "9223372036854775807d", "106751991167301d"})
    void duration_refusesNumbersTooLargeForADurationWithAConfigException(String raw) {
        assertThatThrownBy(() -> with("HOLD_TTL", raw).duration("HOLD_TTL", Duration.ofMinutes(10), MIN, MAX))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HOLD_TTL");
    }

    @Test
    void fromEnv_answersTheLocalEnvironmentOnlyInsideWithLocalEnvironmentAndOnlyOnThatThread() throws Exception {
        String name = "FLASHSALE_CONFIG_TEST_ONLY";
        assertThat(Config.fromEnv().optional(name)).isEmpty();

        String inside = Config.withLocalEnvironment(Map.of(name, "local"), () -> {
            String[] otherThread = new String[1];
            Thread t = new Thread(() -> otherThread[0] = Config.fromEnv().string(name, "unset"));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(otherThread[0]).isEqualTo("unset");
            return Config.fromEnv().string(name, "unset");
        });

        assertThat(inside).isEqualTo("local");
        assertThat(Config.fromEnv().optional(name)).isEmpty();
    }
}

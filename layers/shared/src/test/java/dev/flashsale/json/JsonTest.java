package dev.flashsale.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readObject_acceptsAnObjectWithTypedValuesInOrder() {
        Map<String, Object> m =
                Json.readObject(" {\"z\": 1, \"a\": \"x\", \"m\": [true, null], \"n\": {\"k\": 2.5}} \n");

        assertThat(m).containsOnlyKeys("z", "a", "m", "n");
        assertThat(m.keySet()).containsExactly("z", "a", "m", "n");
        assertThat(m.get("z")).isEqualTo(1);
        assertThat(m.get("a")).isEqualTo("x");
        assertThat(m.get("m"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(true, null);
        assertThat(m.get("n")).isEqualTo(Map.of("k", 2.5));
    }

    @Test
    void readObject_acceptsNestingUpToSixteenLevels() {
        assertThat(Json.readObject(nested(16))).containsKey("a");
    }

    @Test
    void readObject_refusesDuplicateKeysNamingTheKey() {
        assertRefused("{\"quantity\": 1, \"quantity\": 2}", "quantity");
    }

    @Test
    void readObject_refusesDuplicateKeysInNestedObjects() {
        assertRefused("{\"a\": {\"b\": 1, \"b\": 2}}", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "{\"a\":1} x", "{\"a\":1}]", "{\"a\":1} 2", "{\"a\":1},{}"})
    void readObject_refusesTrailingContent(String text) {
        assertRefused(text, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"a\":1}]", "\"a\"", "42", "true", "null"})
    void readObject_refusesTopLevelValuesOtherThanAnObject(String text) {
        assertRefused(text, "object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t "})
    void readObject_refusesAnEmptyBody(String text) {
        assertRefused(text, "empty");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "{\"a\":}",
                "{\"a\" 1}",
                "{'a': 1}",
                "{a: 1}",
                "{\"a\": 01}",
                "{\"a\": NaN}",
                "{\"a\":1,}",
                "{\"a\": \"unterminated}"
            })
    void readObject_refusesMalformedJson(String text) {
        assertRefused(text, "malformed JSON");
    }

    @Test
    void readObject_refusesNestingDeeperThanSixteen() {
        assertRefused(nested(17), "16 levels");
        assertRefused(nested(10_000), "16 levels");
    }

    @Test
    void readObject_refusesAbsurdlyLongNumbers() {
        assertThat(Json.readObject("{\"n\": " + "9".repeat(64) + "}")).containsKey("n");

        assertRefused("{\"n\": " + "9".repeat(65) + "}", "number");
        assertRefused("{\"n\": 1." + "1".repeat(5_000) + "}", "number");
    }

    @Test
    void readObject_messagesAreFitForAClient() {
        String[] bad = {
            "{\"a\":1,\"a\":2}",
            "{\"a\":1} x",
            "[1]",
            "",
            "{",
            "{\"a\": tru}",
            nested(17),
            "{\"n\": " + "9".repeat(100) + "}",
            "{\"s\": \"\u0001\"}",
            "{\"a\": NaN}",
            "{\"a\": [1"
        };
        for (String text : bad) {
            assertThatThrownBy(() -> Json.readObject(text))
                    .as(text)
                    .isInstanceOf(JsonException.class)
                    .satisfies(e -> {
                        assertThat(e.getStackTrace()).as("no stack trace").isEmpty();
                        assertThat(e.getMessage())
                                .isNotBlank()
                                .doesNotContain(
                                        "com.fasterxml",
                                        "jackson",
                                        "Jackson",
                                        "StreamReadConstraints",
                                        "Exception",
                                        "at [Source",
                                        "\tat ",
                                        ".java",
                                        "`",
                                        "Feature",
                                        "Source");
                    });
        }
    }

    @Test
    void write_leavesOutNullsAndKeepsFieldOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "urn:x");
        m.put("title", "T");
        m.put("gone", null);
        m.put("status", 409);
        m.put("list", List.of(1, "two", false));
        m.put("nested", new LinkedHashMap<>(Map.of("b", 2)));
        m.put("a", 1.5);

        assertThat(Json.write(m))
                .isEqualTo("{\"type\":\"urn:x\",\"title\":\"T\",\"status\":409,\"list\":[1,\"two\",false],"
                        + "\"nested\":{\"b\":2},\"a\":1.5}");
    }

    @Test
    void write_escapesStringsAndRoundTripsThroughReadObject() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t unicode é ☃");
        m.put("i", 2_147_483_647);
        m.put("l", 2_147_483_648L);
        m.put("b", true);
        m.put("list", new ArrayList<>(List.of(1, 2)));

        assertThat(Json.readObject(Json.write(m))).isEqualTo(m);
    }

    @Test
    void write_keepsTheOrderOfManyFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 30; i > 0; i--) {
            m.put("k" + i, i);
        }
        assertThat(Json.readObject(Json.write(m)).keySet()).containsExactlyElementsOf(m.keySet());
        assertThat(Json.write(new HashMap<>(Map.of("only", 1)))).isEqualTo("{\"only\":1}");
    }

    private static String nested(int depth) {
        // depth 1 is {"a":0}; each extra level wraps it in {"a": ...}
        return "{\"a\":".repeat(depth) + "0" + "}".repeat(depth);
    }

    private static void assertRefused(String text, String messageFragment) {
        var assertion = assertThatThrownBy(() -> Json.readObject(text)).as(text).isInstanceOf(JsonException.class);
        if (messageFragment != null) {
            assertion.hasMessageContaining(messageFragment);
        }
    }
}

package dev.flashsale.telemetry.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

class JsonLoggerTest {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLoggerTest.class);

    @Test
    void everyEvent_isOneParsableJsonLine_withContextAndKeyValues() throws Exception {
        List<String> lines = new ArrayList<>();
        try (AutoCloseable ignored = JsonLog.tee(lines::add)) {
            MDC.put("request_id", "r-1");
            LOG.atWarn()
                    .addKeyValue("outcome", "sold-out")
                    .addKeyValue("duration_ms", 1.25)
                    .log("quote \" newline \n tab \t ctl \u0001 {}", "arg");
            LOG.error("failed {}", "here", new IllegalStateException("boom", new RuntimeException("cause")));
            LOG.debug("not written at INFO");
        } finally {
            MDC.clear();
        }
        assertThat(lines)
                .hasSize(2)
                .allSatisfy(l -> assertThat(l)
                        .endsWith("}\n")
                        .doesNotContain("\n{")
                        .satisfies(x -> assertThat(x.indexOf('\n')).isEqualTo(x.length() - 1)));
        Map<String, Object> warn = Json.readObject(lines.get(0).strip());
        assertThat(warn)
                .containsEntry("level", "WARN")
                .containsEntry("request_id", "r-1")
                .containsEntry("outcome", "sold-out")
                .containsEntry("message", "quote \" newline \n tab \t ctl \u0001 arg")
                .containsEntry("logger", JsonLoggerTest.class.getName())
                .doesNotContainKeys("trace_id", "error_stack");
        assertThat(((Number) warn.get("duration_ms")).doubleValue()).isEqualTo(1.25);
        Map<String, Object> error = Json.readObject(lines.get(1).strip());
        assertThat(error)
                .containsEntry("message", "failed here")
                .containsEntry("error_type", "java.lang.IllegalStateException")
                .containsEntry("error_message", "boom")
                .containsEntry("error_cause", "java.lang.RuntimeException: cause");
        assertThat(error.get("error_stack").toString()).contains("JsonLoggerTest.everyEvent");
    }

    @Test
    void whilePriming_onlyWarningsAndErrorsAreWritten_markedAsPriming() throws Exception {
        List<String> lines = new ArrayList<>();
        try (AutoCloseable ignored = JsonLog.tee(lines::add)) {
            try (var priming = JsonLog.priming()) {
                assertThat(JsonLog.isPriming()).isTrue();
                LOG.info("release run: sample");
                LOG.warn("priming could not reach Redis");
            }
            assertThat(JsonLog.isPriming()).isFalse();
            LOG.info("a real run");
        }
        assertThat(lines).hasSize(2);
        assertThat(Json.readObject(lines.get(0).strip()))
                .containsEntry("level", "WARN")
                .containsEntry(JsonLog.PRIMING, "true");
        assertThat(Json.readObject(lines.get(1).strip()))
                .containsEntry("message", "a real run")
                .doesNotContainKey(JsonLog.PRIMING);
    }

    @Test
    void redirect_replacesStdout_untilClosed() throws Exception {
        List<String> redirected = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (AutoCloseable tee = JsonLog.tee(seen::add)) {
            try (AutoCloseable ignored = JsonLog.redirect(redirected::add)) {
                LOG.info("to the file");
            }
            LOG.info("back to stdout");
        }
        assertThat(redirected).singleElement().asString().contains("\"message\":\"to the file\"");
        assertThat(seen).singleElement().asString().contains("back to stdout");
    }

    @Test
    void levels_fromTheEnvironmentNames() {
        assertThat(JsonLog.parse("warn", Level.INFO)).isEqualTo(Level.WARN);
        assertThat(JsonLog.parse("FATAL", Level.INFO)).isEqualTo(Level.ERROR);
        assertThat(JsonLog.parse(null, Level.INFO)).isEqualTo(Level.INFO);
        assertThat(JsonLog.parse("loud", Level.DEBUG)).isEqualTo(Level.DEBUG);
    }
}

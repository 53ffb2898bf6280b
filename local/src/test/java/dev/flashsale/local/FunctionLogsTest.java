package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.telemetry.log.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** What a person sees on the console while every JSON line goes to the file. */
class FunctionLogsTest {

    private static final Logger HANDLER = LoggerFactory.getLogger("dev.flashsale.confirm.ConfirmHandler");
    private static final Logger INIT = LoggerFactory.getLogger("dev.flashsale.confirm.ConfirmInit");
    private static final Logger INVOCATION = LoggerFactory.getLogger("dev.flashsale.invocation");

    @Test
    void everyLineGoesToTheFile_onlyWarningsAndErrorsToTheConsole_readable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("logs/functions.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (FunctionLogs ignored = FunctionLogs.toFile(file, new PrintStream(console, true, StandardCharsets.UTF_8))) {
            HANDLER.info("release run: nothing due");
            MDC.put("function", "confirm");
            HANDLER.warn("reservation r1 of sale s1 is not in Redis; no order written");
            HANDLER.error("confirm failed", new IllegalStateException("boom"));
            INVOCATION
                    .atWarn()
                    .addKeyValue("event", "invocation")
                    .addKeyValue("outcome", "service-unavailable")
                    .log("process q");
            MDC.remove("function");
            try (var priming = JsonLog.priming()) {
                HANDLER.warn("reservation __prime__ of sale __prime__ is not in Redis; no order written");
                INIT.warn("priming could not reach Redis at redis://127.0.0.1:1");
            }
        }
        // (the redirection is the JVM's: keep to this test's loggers, other tests' threads may still be logging)
        assertThat(Files.readAllLines(file))
                .allSatisfy(l -> assertThat(l).startsWith("{\"timestamp\":"))
                .filteredOn(l -> l.contains("\"logger\":\"dev.flashsale.confirm.")
                        || l.contains("\"logger\":\"dev.flashsale.invocation\""))
                .hasSize(6);
        String shown = console.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.contains("onfirm"))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(shown.lines()).hasSize(3);
        assertThat(shown.lines().toList().get(0))
                .matches(
                        "\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  confirm +WARN  reservation r1 of sale s1 is not in Redis; no order written");
        assertThat(shown.lines().toList().get(1))
                .contains("confirm")
                .contains("ERROR")
                .contains("confirm failed")
                .endsWith("[java.lang.IllegalStateException: boom]");
        assertThat(shown.lines().toList().get(2)).contains("ConfirmInit").contains("priming could not reach Redis");
        assertThat(shown)
                .doesNotContain("release run")
                .doesNotContain("__prime__")
                .doesNotContain("process q")
                .doesNotContain("{\"");
    }
}

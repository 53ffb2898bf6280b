package dev.flashsale.telemetry.log;

import org.slf4j.event.Level;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Settings and output of the JSON log. The level comes from {@code LOG_LEVEL}, else {@code AWS_LAMBDA_LOG_LEVEL} (set
 * by Lambda's advanced logging controls); default {@code INFO}; one of TRACE, DEBUG, INFO, WARN, ERROR. These are read
 * from the environment directly because logging starts before any Config exists.
 */
public final class JsonLog {

    private static final PrintStream STDOUT = System.out;
    private static volatile Level threshold = parse(System.getenv("LOG_LEVEL"), parse(System.getenv("AWS_LAMBDA_LOG_LEVEL"), Level.INFO));
    private static volatile Consumer<String> sink = line -> STDOUT.print(line);

    private JsonLog() {
    }

    static Level parse(String raw, Level fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        return switch (raw.trim().toUpperCase(Locale.ROOT)) {
            case "TRACE" -> Level.TRACE;
            case "DEBUG" -> Level.DEBUG;
            case "INFO" -> Level.INFO;
            case "WARN", "WARNING" -> Level.WARN;
            case "ERROR", "FATAL" -> Level.ERROR;
            default -> fallback;
        };
    }

    static boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    /** One complete line, newline included. */
    static void write(String line) {
        sink.accept(line);
    }

    public static Level threshold() {
        return threshold;
    }

    public static void threshold(Level level) {
        threshold = level;
    }

    /**
     * Sends lines to {@code to} (each a whole JSON object ending in a newline) as well as to stdout, until the returned
     * handle is closed; for tests.
     */
    public static AutoCloseable tee(Consumer<String> to) {
        Consumer<String> previous = sink;
        sink = line -> {
            previous.accept(line);
            to.accept(line);
        };
        return () -> sink = previous;
    }
}

package dev.flashsale.telemetry.log;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Settings and output of the JSON log. The level is {@code INFO} until a function's init sets it from its settings
 * ({@code LOG_LEVEL}, see {@link dev.flashsale.init.InitSettings}), the first thing it does.
 */
public final class JsonLog {

    private static final PrintStream STDOUT = System.out;
    private static volatile Level threshold = Level.INFO;
    private static volatile Consumer<String> sink = line -> STDOUT.print(line);

    private JsonLog() {}

    /** A level name (TRACE, DEBUG, INFO, WARN or WARNING, ERROR or FATAL; any case), else {@code fallback}. */
    public static Level parse(String raw, Level fallback) {
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
     * Sends lines to {@code to} (each a whole JSON object ending in a newline) instead of stdout, until the returned
     * handle is closed: the local runner writes them to a file and shows a person readable lines instead.
     */
    public static AutoCloseable redirect(Consumer<String> to) {
        Consumer<String> previous = sink;
        sink = to;
        return () -> sink = previous;
    }

    /** The log-context key that marks lines logged while an init primes its path. */
    public static final String PRIMING = "priming";

    /**
     * Marks what this thread logs until the handle is closed as priming (an init running its path on sample data):
     * below WARN nothing is written, warnings and errors carry {@code "priming":"true"}, and no invocation summary
     * line is written, because a priming call is not an invocation. Kept in the SLF4J log context, which the local
     * runner's function class loaders share with the logger.
     */
    public static MDC.MDCCloseable priming() {
        return MDC.putCloseable(PRIMING, "true");
    }

    public static boolean isPriming() {
        return MDC.get(PRIMING) != null;
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

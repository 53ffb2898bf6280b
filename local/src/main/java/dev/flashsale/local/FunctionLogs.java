package dev.flashsale.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.telemetry.log.JsonLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Where the JSON log lines of the hosted functions and their libraries go when a person runs the stack: every line to
 * a file, and warnings and errors also as one readable console line ({@code time  function  LEVEL  message}), so that
 * the console shows the start-up table, one line per invocation and what went wrong. While an init primes, only its
 * own warnings reach the console (a priming call on sample data may warn about the sample).
 */
final class FunctionLogs implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final Writer file;
    private final PrintStream console;
    private final AutoCloseable redirect;

    private FunctionLogs(Writer file, PrintStream console) {
        this.file = file;
        this.console = console;
        this.redirect = JsonLog.redirect(this::write);
    }

    /** JSON lines to {@code file} (replaced), readable warnings and errors to {@code console} (null: none). */
    static FunctionLogs toFile(Path file, PrintStream console) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new FunctionLogs(Files.newBufferedWriter(file, StandardCharsets.UTF_8), console);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the function log " + file + ": " + e.getMessage(), e);
        }
    }

    private synchronized void write(String line) {
        try {
            file.write(line);
            file.flush();
        } catch (IOException e) {
            console.print(line); // the disk is full or gone: better on the console than lost
        }
        String readable = console == null ? null : readable(line);
        if (readable != null) {
            console.println(readable);
        }
    }

    /**
     * The console line for a JSON log line: null below WARN, for an invocation's summary (the runner prints its own line
     * per invocation) and for what a priming call logs outside its init.
     */
    static String readable(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return line.strip();
        }
        String level = n.path("level").asText();
        if (!level.equals("WARN") && !level.equals("ERROR")) {
            return null;
        }
        String logger = n.path("logger").asText();
        if ("invocation".equals(n.path("event").asText()) || n.has(JsonLog.PRIMING) && !logger.endsWith("Init")) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        s.append(timestamp(n.path("timestamp").asText()))
                .append("  ")
                .append(String.format(
                        "%-26s %-5s ", n.path("function").asText(logger.substring(logger.lastIndexOf('.') + 1)), level))
                .append(n.path("message").asText());
        if (n.has("error_type")) {
            s.append("  [")
                    .append(n.path("error_type").asText())
                    .append(": ")
                    .append(n.path("error_message").asText())
                    .append(']');
        }
        return s.toString();
    }

    private static String timestamp(String iso) {
        try {
            return TIME.format(Instant.parse(iso));
        } catch (RuntimeException e) {
            return iso;
        }
    }

    @Override
    public void close() throws Exception {
        redirect.close();
        synchronized (this) {
            file.close();
        }
    }
}

package dev.flashsale.local.function;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.LongAdder;

/** One line per invocation: time, function, trigger, outcome, milliseconds. */
public final class InvocationLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;
    private final LongAdder invocations = new LongAdder();

    /** @param out where lines go; null counts invocations without printing them (the simulator) */
    public InvocationLog(PrintStream out) {
        this.out = out;
    }

    public void record(String function, String trigger, String outcome, long micros) {
        invocations.increment();
        if (out != null) {
            out.printf(
                    "%s  %-26s %-44s %-14s %6.1f ms%n",
                    LocalTime.now().format(TIME), function, trigger, outcome, micros / 1000.0);
        }
    }

    public long invocations() {
        return invocations.sum();
    }
}

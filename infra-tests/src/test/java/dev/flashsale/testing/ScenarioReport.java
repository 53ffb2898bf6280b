package dev.flashsale.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects fault-injection scenario results and prints them as one table. */
public final class ScenarioReport {

    public record Row(String scenario, int requests, int withinBound, long boundMillis, int ok, int conflict, int unavailable,
                      int other, long maxMillis, int lost) {
    }

    private final String title;
    private final List<Row> rows = new ArrayList<>();

    public ScenarioReport(String title) {
        this.title = title;
    }

    public synchronized void add(Row row) {
        rows.add(row);
    }

    public synchronized String render() {
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append(title).append('\n');
        String fmt = "%-44s %8s %14s %6s %6s %6s %6s %9s %5s%n";
        sb.append(String.format(Locale.ROOT, fmt, "scenario", "requests", "within bound", "2xx", "409", "503", "other", "max ms", "lost"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.scenario(), r.requests(),
                    r.withinBound() + " (<" + r.boundMillis() + "ms)", r.ok(), r.conflict(), r.unavailable(), r.other(), r.maxMillis(), r.lost()));
        }
        return sb.toString();
    }
}

package dev.flashsale.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Collects fault-injection scenario results and prints them as one table: a scenario name, then named columns. */
public final class ScenarioReport {

    private final String title;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public ScenarioReport(String title, String... columns) {
        this.title = title;
        this.columns = List.of(columns);
    }

    public synchronized void add(String scenario, Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " values, got " + values.length);
        }
        List<String> row = new ArrayList<>();
        row.add(scenario);
        Arrays.stream(values).map(String::valueOf).forEach(row::add);
        rows.add(row);
    }

    public synchronized String render() {
        List<String> header = new ArrayList<>();
        header.add("scenario");
        header.addAll(columns);
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder("\n").append(title).append('\n');
        line(sb, header, width);
        rows.forEach(r -> line(sb, r, width));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            String fmt = i == 0 ? "%-" + width[i] + "s" : "  %" + width[i] + "s";
            sb.append(String.format(Locale.ROOT, fmt, cells.get(i)));
        }
        sb.append('\n');
    }
}

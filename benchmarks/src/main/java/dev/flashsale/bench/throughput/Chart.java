package dev.flashsale.bench.throughput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Throughput against client threads, one line per path, as a self-contained SVG (log scale, no script, no fonts). */
final class Chart {

    private static final String[] COLORS = {
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"
    };

    private Chart() {}

    static void write(Path file, String title, List<Integer> threads, Map<String, Map<Integer, Double>> series)
            throws IOException {
        int w = 900;
        int h = 520;
        int left = 80;
        int right = 300;
        int top = 50;
        int bottom = 60;
        double max = series.values().stream()
                .flatMap(m -> m.values().stream())
                .filter(v -> v > 0)
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(10);
        double min = series.values().stream()
                .flatMap(m -> m.values().stream())
                .filter(v -> v > 0)
                .mapToDouble(Double::doubleValue)
                .min()
                .orElse(1);
        double lo = Math.pow(10, Math.floor(Math.log10(min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(max)));
        int plotW = w - left - right;
        int plotH = h - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                w,
                h,
                w,
                h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"15\">%s</text>%n", left, escape(title)));
        for (double v = lo; v <= hi * 1.0001; v *= 10) {
            double y = top + plotH - plotH * (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left,
                    y,
                    left + plotW,
                    y,
                    left - 6,
                    y + 4,
                    v >= 1000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v)));
        }
        for (int i = 0; i < threads.size(); i++) {
            double x = xOf(i, threads.size(), left, plotW);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x,
                    top,
                    x,
                    top + plotH,
                    x,
                    top + plotH + 18,
                    threads.get(i)));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">client threads</text>%n",
                left + plotW / 2,
                h - 15));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" text-anchor=\"middle\">units/s (log)</text>%n",
                top + plotH / 2,
                top + plotH / 2));
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                left,
                top,
                plotW,
                plotH));
        int k = 0;
        for (Map.Entry<String, Map<Integer, Double>> e : series.entrySet()) {
            String color = COLORS[k % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < threads.size(); i++) {
                Double v = e.getValue().get(threads.get(i));
                if (v == null || v <= 0) {
                    continue;
                }
                double x = xOf(i, threads.size(), left, plotW);
                double y = top + plotH - plotH * (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                s.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s, %d threads: %.0f/s</title></circle>%n",
                        x,
                        y,
                        color,
                        escape(e.getKey()),
                        threads.get(i),
                        v));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(),
                    color));
            int ly = top + 10 + k * 22;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + plotW + 15,
                    ly,
                    left + plotW + 40,
                    ly,
                    color,
                    left + plotW + 46,
                    ly + 4,
                    escape(e.getKey())));
            k++;
        }
        s.append("</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, s);
    }

    private static double xOf(int i, int n, int left, int plotW) {
        return n == 1 ? left + plotW / 2.0 : left + 30 + (plotW - 60) * i / (double) (n - 1);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

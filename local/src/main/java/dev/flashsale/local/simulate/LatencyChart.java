package dev.flashsale.local.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Latency over time as a self-contained HTML page with an inline SVG: p50, p99 and max per time slice, and requests per slice. */
final class LatencyChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 360;
    private static final int PAD = 50;
    private static final int SLICES = 60;

    private LatencyChart() {}

    static String html(String title, List<Sample> samples, String summary) {
        long end = samples.stream()
                .mapToLong(s -> s.startMicros() + s.latencyMicros())
                .max()
                .orElse(1);
        long slice = Math.max(1000, end / SLICES + 1);
        int n = (int) (end / slice) + 1;
        List<List<Long>> buckets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            buckets.add(new ArrayList<>());
        }
        for (Sample s : samples) {
            buckets.get((int) (s.startMicros() / slice)).add(s.latencyMicros());
        }
        double[] p50 = new double[n];
        double[] p99 = new double[n];
        double[] max = new double[n];
        int[] count = new int[n];
        double top = 1;
        int topCount = 1;
        for (int i = 0; i < n; i++) {
            long[] v =
                    buckets.get(i).stream().mapToLong(Long::longValue).sorted().toArray();
            count[i] = v.length;
            if (v.length > 0) {
                p50[i] = v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.50) - 1)] / 1000.0;
                p99[i] = v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)] / 1000.0;
                max[i] = v[v.length - 1] / 1000.0;
                top = Math.max(top, max[i]);
                topCount = Math.max(topCount, v.length);
            }
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>",
                WIDTH,
                HEIGHT));
        double w = WIDTH - 2.0 * PAD;
        double h = HEIGHT - 2.0 * PAD;
        for (int i = 0; i < n; i++) {
            double bh = h * count[i] / topCount;
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#dde'/>",
                    PAD + w * i / n,
                    PAD + h - bh,
                    Math.max(1, w / n - 1),
                    bh));
        }
        svg.append(line(p50, n, top, w, h, "#2a7"))
                .append(line(p99, n, top, w, h, "#e80"))
                .append(line(max, n, top, w, h, "#c22"));
        svg.append(String.format(
                Locale.ROOT,
                "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>",
                PAD,
                HEIGHT - PAD,
                WIDTH - PAD,
                HEIGHT - PAD));
        svg.append(String.format(
                Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", PAD, PAD, PAD, HEIGHT - PAD));
        for (int k = 0; k <= 4; k++) {
            double y = PAD + h - h * k / 4;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x='%d' y='%.1f' text-anchor='end'>%.1f ms</text>",
                    PAD - 4,
                    y + 4,
                    top * k / 4));
            double x = PAD + w * k / 4;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x='%.1f' y='%d' text-anchor='middle'>%.2f s</text>",
                    x,
                    HEIGHT - PAD + 16,
                    end / 1e6 * k / 4));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>", PAD, PAD - 12))
                .append(
                        "<tspan fill='#2a7'>p50</tspan>  <tspan fill='#e80'>p99</tspan>  <tspan fill='#c22'>max</tspan>  ")
                .append(String.format(
                        Locale.ROOT,
                        "<tspan fill='#99a'>requests per %.0f ms slice (max %d)</tspan></text>",
                        slice / 1000.0,
                        topCount));
        svg.append("</svg>");
        return "<!doctype html><html><head><meta charset='utf-8'><title>" + escape(title) + "</title></head><body>"
                + "<h2>" + escape(title) + "</h2>" + svg + "<pre>" + escape(summary) + "</pre></body></html>\n";
    }

    private static String line(double[] values, int n, double top, double w, double h, String color) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (values[i] > 0) {
                points.append(String.format(
                        Locale.ROOT, "%.1f,%.1f ", PAD + w * (i + 0.5) / n, PAD + h - h * values[i] / top));
            }
        }
        return "<polyline fill='none' stroke='" + color + "' stroke-width='1.5' points='"
                + points.toString().trim() + "'/>";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

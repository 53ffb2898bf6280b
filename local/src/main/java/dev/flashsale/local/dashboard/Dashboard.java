package dev.flashsale.local.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.flashsale.db.DbSettings;
import dev.flashsale.local.http.ApiServer;
import dev.flashsale.redis.RedisSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The local stack's live dashboard, the same picture as the stack's CloudWatch dashboard: {@code /_dashboard} is a
 * plain HTML page (SVG charts drawn by its own script, nothing to build) that polls {@code /_dashboard/data} every
 * second for the sales with their units left and sold, reservations per second by outcome and the confirmation lag
 * (from the functions' EMF metrics, {@link LocalMetrics}), and the confirm queue's depth ({@link QueueDepth}).
 */
public final class Dashboard implements HttpHandler, AutoCloseable {

    public static final String PATH = "/_dashboard";
    static final int WINDOW_SECONDS = 180;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalMetrics metrics;
    private final SalesView sales;
    private final QueueDepth queues;
    private final byte[] page;

    private Dashboard(LocalMetrics metrics, SalesView sales, QueueDepth queues) {
        this.metrics = metrics;
        this.sales = sales;
        this.queues = queues;
        try (InputStream in = Dashboard.class.getResourceAsStream("index.html")) {
            this.page = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("dashboard page missing from the runner's resources", e);
        }
    }

    /**
     * @param queues      the logical ids of the queues SQS mappings read
     * @param deadLetters their dead-letter queues
     * @param backlog     messages waiting or in flight in a queue (by logical id)
     */
    public static Dashboard start(
            LocalMetrics metrics,
            DbSettings db,
            RedisSettings redis,
            List<String> queues,
            List<String> deadLetters,
            ToLongFunction<String> backlog) {
        return new Dashboard(metrics, new SalesView(db, redis), new QueueDepth(queues, deadLetters, backlog));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "text/plain", "GET only".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals(PATH) || path.equals(PATH + "/")) {
                send(exchange, 200, "text/html; charset=utf-8", page);
            } else if (path.equals(PATH + "/data")) {
                send(exchange, 200, "application/json", JSON.writeValueAsBytes(snapshot(System.currentTimeMillis())));
            } else {
                send(exchange, 404, "text/plain", "no such dashboard resource".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            System.err.println("dashboard: " + e);
        }
    }

    /** Everything the page draws, for the last {@value #WINDOW_SECONDS} seconds up to the last complete second. */
    Map<String, Object> snapshot(long nowMillis) {
        long last = nowMillis / 1000 - 1;
        long first = last - WINDOW_SECONDS + 1;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", nowMillis);
        out.put("from", first);
        out.put("to", last);
        out.put("sales", sales.now());
        out.put("reservations", rates(metrics.by("flashsale.reservations", "outcome", first), first, last));
        out.put(
                "lag",
                lag(
                        metrics.by("flashsale.confirmations.lag", "outcome", first)
                                .getOrDefault("confirmed", new TreeMap<>()),
                        last));
        Map<Long, long[]> depth = queues.since(first);
        List<long[]> waiting = new ArrayList<>();
        List<long[]> dead = new ArrayList<>();
        depth.forEach((second, d) -> {
            waiting.add(new long[] {second, d[0]});
            dead.add(new long[] {second, d[1]});
        });
        out.put("queue", Map.of("waiting", waiting, "deadLetters", dead));
        return out;
    }

    /** Per outcome, [second, count in that second] from the first second anything was counted to {@code last}, zeros filled in. */
    private static Map<String, List<long[]>> rates(
            Map<String, TreeMap<Long, List<Double>>> byOutcome, long first, long last) {
        long start = byOutcome.values().stream()
                .filter(s -> !s.isEmpty())
                .mapToLong(TreeMap::firstKey)
                .min()
                .orElse(last + 1);
        Map<String, List<long[]>> out = new TreeMap<>();
        byOutcome.forEach((outcome, seconds) -> {
            List<long[]> points = new ArrayList<>();
            for (long s = Math.max(start, first); s <= last; s++) {
                List<Double> v = seconds.get(s);
                points.add(new long[] {
                    s,
                    v == null
                            ? 0
                            : Math.round(
                                    v.stream().mapToDouble(Double::doubleValue).sum())
                });
            }
            out.put(outcome, points);
        });
        return out;
    }

    /** [second, p50, max] of the confirmed records' lag in each second that had any. */
    private static List<double[]> lag(TreeMap<Long, List<Double>> seconds, long last) {
        List<double[]> points = new ArrayList<>();
        seconds.headMap(last, true).forEach((second, values) -> {
            if (!values.isEmpty()) {
                List<Double> sorted = values.stream().sorted().toList();
                points.add(new double[] {second, sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1)});
            }
        });
        return points;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        ApiServer.send(exchange, status, Map.of("content-type", type, "cache-control", "no-store"), body);
    }

    @Override
    public void close() {
        queues.close();
        sales.close();
    }
}

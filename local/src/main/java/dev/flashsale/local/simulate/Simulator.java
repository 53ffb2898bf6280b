package dev.flashsale.local.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ProblemType;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * A flash sale against the local HTTP API: creates a sale (straight into the database and Redis), open or ticketed,
 * open ones in one stock bucket or several ({@link SimulationOptions#buckets()}),
 * releases a crowd of buyers at it with a progress bar (in a ticketed sale they queue first: {@link TicketedCrowd}),
 * waits until every accepted hold is confirmed, then measures and checks the invariants, and writes
 * {@code summary.txt} and {@code latency.html}.
 *
 * @param api          the local API's base URL
 * @param queueBacklog messages still in the confirmation queue (0 when unknown)
 * @param out          progress and the summary; null prints nothing
 * @param webhookSecret the payment webhook's secret ({@code PAYMENT_WEBHOOK_SECRET}), to sign the payments of a sale
 *                     with a payment window; null when the run has none
 */
public record Simulator(
        SimulationOptions options,
        URI api,
        RedisSettings redisSettings,
        DbSettings dbSettings,
        LongSupplier queueBacklog,
        PrintStream out,
        String webhookSecret) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SimulationSummary run() throws IOException, InterruptedException {
        try (RedisConnection redis = RedisConnection.create(redisSettings
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
                        .withPoolSize(4));
                DbConnection db =
                        DbConnection.create(DbSettings.of(dbSettings.url(), dbSettings.user(), dbSettings.password())
                                .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(60)))) {
            if (options.warmup() > 0) {
                warmUp(db, redis);
            }
            Sale sale = createSale(
                    db,
                    redis,
                    options.stock(),
                    options.ticketed() ? Admission.TICKETED : Admission.OPEN,
                    options.payment().map(PaymentMix::window).orElse(null));
            print("sale " + sale.id() + " (" + sale.admission().name().toLowerCase(Locale.ROOT)
                    + (sale.buckets() > 1 ? ", " + sale.buckets() + " buckets" : "") + "): "
                    + sale.stock() + " units, " + options.buyers() + " buyers, concurrency " + options.concurrency()
                    + ", " + options.attempts() + " attempt(s) each");
            ReservationLog log;
            Optional<TicketedFigures> ticketed;
            List<PaymentPhase.Order> held = List.of();
            if (options.ticketed()) {
                TicketedCrowd crowd = new TicketedCrowd(api, sale.id(), options, out);
                crowd.run();
                log = crowd.log;
                ticketed = Optional.of(crowd.figures());
            } else {
                Crowd crowd = new Crowd(sale.id(), options.buyers(), true);
                crowd.run();
                log = crowd.log;
                ticketed = Optional.empty();
                held = List.copyOf(crowd.orders);
            }
            Drain drain = drain(db, sale.id(), log.acceptedCount());
            Optional<PaymentFigures> payment = Optional.empty();
            if (options.payment().isPresent()) {
                PaymentFigures figures = new PaymentPhase(
                                api,
                                sale,
                                options.payment().get(),
                                options.quantity(),
                                options.stock(),
                                new WebhookSignature(
                                        webhookSecret().getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5)),
                                out)
                        .run(held, db, redis);
                payment = Optional.of(figures);
                drain(db, sale.id(), log.acceptedCount() + figures.unitsResold() / options.quantity());
            }
            InvariantReport report = new InvariantChecker(redis, db).check(sale.id(), false);
            SimulationSummary summary =
                    summarize(sale, log, drain, report, duplicates(db, sale.id()), ticketed, payment);
            Path dir = options.out().orElse(Path.of("simulation", sale.id()));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.txt"), summary.render(), StandardCharsets.UTF_8);
            Files.writeString(
                    dir.resolve("latency.html"),
                    LatencyChart.html(
                            "flash sale " + sale.id() + ": latency over time",
                            List.copyOf(log.samples),
                            summary.render()),
                    StandardCharsets.UTF_8);
            print("\n" + summary.render() + "written: " + dir.resolve("summary.txt") + ", "
                    + dir.resolve("latency.html"));
            return summary;
        }
    }

    /** A throwaway sale of {@code warmup} units to as many buyers, sent and drained, measured by nothing. */
    private void warmUp(DbConnection db, RedisConnection redis) throws InterruptedException {
        Sale sale = createSale(db, redis, options.warmup(), Admission.OPEN, null);
        print("warm-up: sale " + sale.id() + ", " + options.warmup() + " buyers (not measured)...");
        Crowd crowd = new Crowd(sale.id(), options.warmup(), false);
        crowd.run();
        Drain drain = drain(db, sale.id(), crowd.log.acceptedCount());
        print(String.format(
                "warm-up: %d requests in %.1f s, %d orders%s",
                crowd.log.samples.size(),
                (crowd.log.endNanos - crowd.log.startNanos) / 1e9,
                drain.orders(),
                drain.drained() ? "" : " (drain timed out)"));
    }

    /** @param paymentWindow null: orders are final */
    private Sale createSale(
            DbConnection db, RedisConnection redis, int stock, Admission admission, Duration paymentWindow) {
        Instant now = Instant.now();
        String id = "sim-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Sale sale = new Sale(
                id,
                stock,
                options.quantity(),
                options.quantity(),
                now.minusSeconds(1),
                now.plus(Duration.ofHours(1)),
                admission,
                admission == Admission.TICKETED ? 1 : options.buckets());
        new SaleRepository(db).create(sale, "", PaymentPhase.UNIT_PRICE_CENTS, "USD", paymentWindow);
        new SaleCache(redis, Duration.ofDays(1)).load(sale);
        return sale;
    }

    /** The buyers of an open sale, a pool of {@code concurrency} senders, and what they saw. */
    private final class Crowd {

        final String saleId;
        final int buyers;
        final boolean showProgress;
        final ReservationLog log = new ReservationLog(options.quantity());
        final AtomicInteger nextBuyer = new AtomicInteger();
        final AtomicInteger buyersDone = new AtomicInteger();
        final URI reservations;
        /** The holds granted, for the payment phase (a sale with a payment window only). */
        final Queue<PaymentPhase.Order> orders = new ConcurrentLinkedQueue<>();

        Crowd(String saleId, int buyers, boolean showProgress) {
            this.saleId = saleId;
            this.buyers = buyers;
            this.showProgress = showProgress;
            this.reservations = api.resolve("/sales/" + saleId + "/reservations");
        }

        void run() throws InterruptedException {
            ExecutorService pool = Executors.newFixedThreadPool(options.concurrency());
            long cpu0 = processCpuNanos();
            log.startNanos = System.nanoTime();
            long deadline = log.startNanos + options.duration().toNanos();
            for (int t = 0; t < options.concurrency(); t++) {
                pool.execute(() -> {
                    int buyer;
                    while ((buyer = nextBuyer.getAndIncrement()) < buyers && System.nanoTime() < deadline) {
                        for (int attempt = 1;
                                attempt <= options.attempts() && System.nanoTime() < deadline;
                                attempt++) {
                            if (send(buyer, attempt)) {
                                break;
                            }
                        }
                        buyersDone.incrementAndGet();
                    }
                });
            }
            pool.shutdown();
            while (!pool.awaitTermination(250, TimeUnit.MILLISECONDS)) {
                progress(false);
            }
            log.endNanos = System.nanoTime();
            log.cpuNanos = processCpuNanos() - cpu0;
            progress(true);
        }

        /** One request; true when the buyer got a hold (or a replay of it). */
        private boolean send(int buyer, int attempt) {
            long t0 = System.nanoTime();
            SimHttp.Answer a = SimHttp.post(
                    reservations,
                    Map.of(
                            "Authorization", "Bearer dev:buyer-" + buyer,
                            "Idempotency-Key", saleId + "-" + buyer + "-" + attempt,
                            "Content-Type", "application/json"),
                    reservationPayload(options.quantity()));
            log.record(t0, System.nanoTime(), a.status(), a.body());
            if (a.status() == 201 && options.payment().isPresent()) {
                orders.add(new PaymentPhase.Order(buyer, reservationId(a.body())));
            }
            return a.status() == 201 || a.status() == 200;
        }

        private void progress(boolean last) {
            if (out == null || !showProgress) {
                return;
            }
            int done = Math.min(buyersDone.get(), buyers);
            int width = 30;
            int filled = (int) ((long) width * done / buyers);
            double seconds = (System.nanoTime() - log.startNanos) / 1e9;
            out.printf(
                    "\r[%s%s] %3d%%  %d/%d buyers  %d requests  %d accepted  %.0f req/s   ",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    100L * done / buyers,
                    done,
                    buyers,
                    log.samples.size(),
                    log.acceptedCount(),
                    log.samples.size() / Math.max(0.001, seconds));
            if (last) {
                out.println();
            }
            out.flush();
        }
    }

    static byte[] reservationPayload(int quantity) {
        return ("{\"quantity\":" + quantity + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** CPU time of this JVM (every thread), or 0 where the platform does not tell. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    static String outcome(int status, String body) {
        if (status == 201) {
            return "accepted";
        }
        if (status == 200) {
            return "replayed";
        }
        try {
            JsonNode type = JSON.readTree(body).path("type");
            if (type.isTextual() && type.asText().startsWith(ProblemType.TYPE_PREFIX)) {
                return type.asText().substring(ProblemType.TYPE_PREFIX.length());
            }
        } catch (IOException | RuntimeException e) {
            // not a problem document
        }
        return "http-" + status;
    }

    static String reservationId(String body) {
        try {
            return JSON.readTree(body).path("reservationId").asText();
        } catch (IOException e) {
            return "";
        }
    }

    static long remaining(String body) {
        try {
            return JSON.readTree(body).path("remaining").asLong(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private record Drain(boolean drained, long orders, long units, Duration span, double lagP50Ms, double lagMaxMs) {}

    /** Waits until the database holds an order for every accepted hold and the queue is empty, or the drain timeout. */
    private Drain drain(DbConnection db, String saleId, long accepted) throws InterruptedException {
        long deadline = System.nanoTime() + options.drainTimeout().toNanos();
        long[] counts;
        boolean drained;
        while (true) {
            counts = orders(db, saleId);
            drained = counts[0] >= accepted && queueBacklog.getAsLong() == 0;
            if (drained || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        List<Double> lags = db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT extract(epoch FROM (created_at - held_at)) * 1000 FROM orders WHERE sale_id = ? ORDER BY 1")) {
                ps.setString(1, saleId);
                List<Double> l = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        l.add(rs.getDouble(1));
                    }
                }
                return l;
            }
        });
        double p50 = lags.isEmpty() ? 0 : lags.get((int) Math.ceil(lags.size() * 0.5) - 1);
        double max = lags.isEmpty() ? 0 : Collections.max(lags);
        return new Drain(drained, counts[0], counts[1], confirmSpan(db, saleId), p50, max);
    }

    /** From the first order of the sale written to the last, in database time. */
    private static Duration confirmSpan(DbConnection db, String saleId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT coalesce(extract(epoch FROM (max(created_at) - min(created_at))) * 1000000, 0)"
                            + " FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Duration.ofNanos(rs.getLong(1) * 1000);
                }
            }
        });
    }

    private static long[] orders(DbConnection db, String saleId) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT count(*), coalesce(sum(quantity), 0) FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        });
    }

    /** Orders beyond one per buyer: the per-buyer limit is one reservation's worth, so every extra order is a duplicate. */
    private static long duplicates(DbConnection db, String saleId) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT count(*) - count(DISTINCT buyer_id) FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private SimulationSummary summarize(
            Sale sale,
            ReservationLog crowd,
            Drain drain,
            InvariantReport report,
            long duplicates,
            Optional<TicketedFigures> ticketed,
            Optional<PaymentFigures> payment) {
        Map<String, Long> refused = new TreeMap<>();
        for (Sample s : crowd.samples) {
            if (!s.outcome().equals("accepted")) {
                refused.merge(s.outcome(), 1L, Long::sum);
            }
        }
        Duration elapsed = Duration.ofNanos(crowd.endNanos - crowd.startNanos);
        long requests = crowd.samples.size();
        ConcurrentHistogram h = crowd.latency;
        Optional<Duration> soldOut = crowd.soldOutAtMicros.get() < 0
                ? Optional.empty()
                : Optional.of(Duration.ofNanos(crowd.soldOutAtMicros.get() * 1000));
        return new SimulationSummary(
                sale.id(),
                sale.stock(),
                options.buyers(),
                requests,
                crowd.acceptedCount(),
                crowd.acceptedUnits.get(),
                Map.copyOf(refused),
                elapsed,
                requests / Math.max(0.001, elapsed.toNanos() / 1e9),
                Duration.ofNanos(crowd.cpuNanos),
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(95) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getMaxValue() / 1000.0,
                soldOut,
                drain.orders(),
                drain.units(),
                drain.span(),
                drain.drained(),
                drain.lagP50Ms(),
                drain.lagMaxMs(),
                duplicates,
                Math.max(0, Math.max(report.sold(), report.orderedUnits()) - report.stock()),
                report,
                ticketed,
                payment);
    }

    private void print(String line) {
        if (out != null) {
            out.println(line);
        }
    }
}

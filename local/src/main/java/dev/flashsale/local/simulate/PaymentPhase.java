package dev.flashsale.local.simulate;

import dev.flashsale.db.DbConnection;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * After the crowd of a sale with a payment window: each buyer with an order pays in time, cancels, pays too late or
 * never pays ({@link PaymentMix}), through the webhook and the reservation's {@code DELETE}, while later buyers keep
 * trying to buy what comes back (and pay for it in time) until a window after the last deadline. The release job
 * (the stack's schedule: run with {@code --schedule-every} a fraction of the window) cancels what is overdue.
 */
final class PaymentPhase {

    static final long UNIT_PRICE_CENTS = 1999;

    /** An order of the first crowd: buyer number and reservation id. */
    record Order(int buyer, String reservationId) {}

    private final URI api;
    private final String saleId;
    private final int buckets;
    private final PaymentMix mix;
    private final int quantity;
    private final int laterBuyers;
    private final WebhookSignature signer;
    private final PrintStream out;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(4);
    private final AtomicLong unitsResold = new AtomicLong();
    private final AtomicLong lastResaleMillis = new AtomicLong(Long.MIN_VALUE);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    PaymentPhase(
            URI api,
            Sale sale,
            PaymentMix mix,
            int quantity,
            int laterBuyers,
            WebhookSignature signer,
            PrintStream out) {
        this.api = api;
        this.saleId = sale.id();
        this.buckets = sale.buckets();
        this.mix = mix;
        this.quantity = quantity;
        this.laterBuyers = laterBuyers;
        this.signer = signer;
        this.out = out;
    }

    PaymentFigures run(List<Order> orders, DbConnection db, RedisConnection redis) throws InterruptedException {
        Instant lastDeadline = lastDeadline(db);
        Instant end = lastDeadline.plus(mix.window()).plusSeconds(2);
        print(String.format(
                "payment window %d s: %d orders (never pay %d%%, cancel %d%%, pay late %d%%), later buyers until %s",
                mix.window().toSeconds(),
                orders.size(),
                mix.neverPayPercent(),
                mix.cancelPercent(),
                mix.payLatePercent(),
                end));
        Random random = new Random(saleId.hashCode());
        long windowMs = mix.window().toMillis();
        for (Order o : orders) {
            switch (mix.fate(random.nextInt(100))) {
                case PAY -> later(random.nextLong(windowMs / 2 + 1), () -> pay(o.reservationId()));
                case CANCEL -> later(random.nextLong(windowMs / 2 + 1), () -> cancel(o));
                case PAY_LATE ->
                    later(
                            Duration.between(Instant.now(), lastDeadline).toMillis() + windowMs / 2 + 1000,
                            () -> pay(o.reservationId()));
                case NEVER_PAY -> {
                    // walks away: the release job cancels the order at its deadline
                }
            }
        }
        AtomicInteger nextLater = new AtomicInteger();
        ExecutorService crowd = Executors.newFixedThreadPool(Math.min(8, Math.max(1, laterBuyers)));
        for (int t = 0; t < Math.min(8, Math.max(1, laterBuyers)); t++) {
            crowd.execute(() -> laterBuyer(nextLater, end));
        }
        crowd.shutdown();
        crowd.awaitTermination(Duration.between(Instant.now(), end).toMillis() + 30_000, TimeUnit.MILLISECONDS);
        timers.shutdown();
        timers.awaitTermination(60, TimeUnit.SECONDS);
        if (!failures.isEmpty()) {
            print("payment phase: " + failures.size() + " unexpected answers, e.g. " + failures.peek());
        }
        return figures(db, redis, lastDeadline);
    }

    private void later(long delayMs, Runnable action) {
        timers.schedule(action, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    /** A later buyer after another: each tries until it gets a hold (then pays in time) or the phase ends. */
    private void laterBuyer(AtomicInteger next, Instant end) {
        int buyer = next.getAndIncrement();
        URI reservations = api.resolve("/sales/" + saleId + "/reservations");
        while (buyer < laterBuyers && Instant.now().isBefore(end)) {
            SimHttp.Answer a = SimHttp.post(
                    reservations,
                    Map.of(
                            "Authorization",
                            "Bearer dev:later-" + buyer,
                            "Idempotency-Key",
                            UUID.randomUUID().toString(),
                            "Content-Type",
                            "application/json"),
                    Simulator.reservationPayload(quantity));
            if (a.status() == 201) {
                unitsResold.addAndGet(quantity);
                lastResaleMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
                String id = Simulator.reservationId(a.body());
                later(ThreadLocalRandom.current().nextLong(mix.window().toMillis() / 4 + 1), () -> payWhenOrdered(id));
                buyer = next.getAndIncrement();
            } else {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A later buyer pays once the confirmer has made the order (the webhook answers 404 until then). */
    private void payWhenOrdered(String reservationId) {
        SimHttp.Answer a = sendPayment(reservationId);
        if (a.status() == 404) {
            later(200, () -> payWhenOrdered(reservationId));
        } else if (a.status() != 200) {
            failures.add("pay " + reservationId + ": " + a.status() + " " + a.body());
        }
    }

    private void pay(String reservationId) {
        SimHttp.Answer a = sendPayment(reservationId);
        if (a.status() != 200) {
            failures.add("pay " + reservationId + ": " + a.status() + " " + a.body());
        }
    }

    private SimHttp.Answer sendPayment(String reservationId) {
        String body = "{\"eventId\":\"sim-" + reservationId + "\",\"reservationId\":\"" + reservationId
                + "\",\"amountCents\":" + quantity * UNIT_PRICE_CENTS + ",\"currency\":\"USD\"}";
        return SimHttp.post(
                api.resolve("/payments/events"),
                Map.of("Content-Type", "application/json", WebhookSignature.HEADER, signer.sign(body, Instant.now())),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void cancel(Order o) {
        SimHttp.Answer a = SimHttp.delete(
                api.resolve("/sales/" + saleId + "/reservations/" + o.reservationId()),
                Map.of("Authorization", "Bearer dev:buyer-" + o.buyer()));
        if (a.status() != 200) {
            failures.add("cancel " + o.reservationId() + ": " + a.status() + " " + a.body());
        }
    }

    private Instant lastDeadline(DbConnection db) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT max(payment_due_at) FROM orders WHERE sale_id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Timestamp t = rs.getTimestamp(1);
                    return t == null ? Instant.now() : t.toInstant();
                }
            }
        });
    }

    private PaymentFigures figures(DbConnection db, RedisConnection redis, Instant lastDeadline) {
        long[] c = db.transaction(conn -> {
            long[] counts = new long[6];
            try (PreparedStatement ps = conn.prepareStatement("""
                    SELECT count(*),
                           count(*) FILTER (WHERE status = 'PAID'),
                           count(*) FILTER (WHERE status = 'CANCELLED' AND cancel_reason = 'BUYER_CANCELLED'),
                           count(*) FILTER (WHERE status = 'CANCELLED' AND cancel_reason = 'PAYMENT_EXPIRED'),
                           count(*) FILTER (WHERE status = 'PAID_AFTER_CANCEL'),
                           coalesce(sum(quantity) FILTER (WHERE status IN ('CANCELLED', 'PAID_AFTER_CANCEL')), 0)
                    FROM orders WHERE sale_id = ? AND starts_with(buyer_id, 'buyer-')""")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = rs.getLong(i + 1);
                    }
                }
            }
            return counts;
        });
        long last = lastResaleMillis.get();
        return new PaymentFigures(
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5],
                laterBuyers,
                unitsResold.get(),
                last == Long.MIN_VALUE
                        ? Optional.empty()
                        : Optional.of(Duration.ofMillis(last - lastDeadline.toEpochMilli())),
                new SaleCache(redis, Duration.ofDays(1)).available(saleId, buckets));
    }

    private void print(String line) {
        if (out != null) {
            out.println(line);
        }
    }
}

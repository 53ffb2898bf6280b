package dev.flashsale.local.simulate;

import dev.flashsale.redis.Buckets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One simulated flash sale. Every number is bounded so a typo cannot run for hours.
 *
 * @param buyers       distinct buyers in the crowd (1..1,000,000); default 2000
 * @param stock        units for sale (1..1,000,000); default 300
 * @param concurrency  requests in flight at once (1..1024); default 64
 * @param attempts     tries per buyer until one is accepted (1..20), each with a new Idempotency-Key; default 1
 * @param quantity     units per reservation, also the per-buyer limit (1..100); default 1
 * @param duration     the crowd stops sending after this (1s..10m); default 30s
 * @param drainTimeout the longest wait for every accepted hold to be confirmed (1s..10m); default 60s
 * @param out          where summary.txt and latency.html go; default simulation/&lt;saleId&gt;
 * @param url          a running local API to target instead of starting one in process
 * @param warmup       buyers of a throwaway sale (as many units) sent and confirmed before the measured one, so that
 *                     the figures are of code the JIT has compiled rather than of a cold JVM (0..1,000,000); default 0
 * @param ticketed     the sale is {@code ticketed}: every buyer joins its queue, waits its turn and reserves with the
 *                     ticket it is given (docs/admission.md); default false, an {@code open} sale
 * @param pollCap      in a ticketed sale, the longest a waiting buyer waits between two polls, whatever the waiting
 *                     room's {@code pollAfterSeconds} says (100ms..30s), so that a simulated run stays short; default 1s
 * @param noShowPercent in a ticketed sale, the chance in percent that an admitted buyer walks away without reserving
 *                     (0..90), its turn passing on when the ticket lapses; default 0
 * @param payment      the sale has a payment window and the buyers pay, cancel or walk away as this says, while later
 *                     buyers try to buy what comes back (docs/payment.md); default empty: orders are final
 * @param buckets      the sale's stock buckets in Redis (1..{@value Buckets#MAX}; not with {@code ticketed}, whose queue
 *                     admits against one counter): each buyer reserves in their home bucket, which borrows from the
 *                     others when it runs short; default 1
 */
public record SimulationOptions(
        int buyers,
        int stock,
        int concurrency,
        int attempts,
        int quantity,
        Duration duration,
        Duration drainTimeout,
        Optional<Path> out,
        Optional<URI> url,
        int warmup,
        boolean ticketed,
        Duration pollCap,
        int noShowPercent,
        Optional<PaymentMix> payment,
        int buckets) {

    public SimulationOptions {
        check("warmup", warmup, 0, 1_000_000);
        check("buyers", buyers, 1, 1_000_000);
        check("stock", stock, 1, 1_000_000);
        check("concurrency", concurrency, 1, 1024);
        check("attempts", attempts, 1, 20);
        check("quantity", quantity, 1, 100);
        check("no-show", noShowPercent, 0, 90);
        check("buckets", buckets, 1, Buckets.MAX);
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--duration must be between 1s and 10m, was " + duration);
        }
        if (drainTimeout.compareTo(Duration.ofSeconds(1)) < 0 || drainTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--drain-timeout must be between 1s and 10m, was " + drainTimeout);
        }
        if (ticketed && payment.isPresent()) {
            throw new IllegalArgumentException("--payment-window is for open sales, not with --ticketed");
        }
        if (ticketed && buckets > 1) {
            throw new IllegalArgumentException(
                    "--buckets is for open sales, not with --ticketed (a ticketed sale has one bucket)");
        }
        if (pollCap.compareTo(Duration.ofMillis(100)) < 0 || pollCap.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException("--poll-cap must be between 100ms and 30s, was " + pollCap);
        }
    }

    public static SimulationOptions defaults() {
        return new SimulationOptions(
                2000,
                300,
                64,
                1,
                1,
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Optional.empty(),
                Optional.empty(),
                0,
                false,
                Duration.ofSeconds(1),
                0,
                Optional.empty(),
                1);
    }

    public SimulationOptions withBuyers(int n) {
        return with(o -> o.buyers = n);
    }

    public SimulationOptions withStock(int n) {
        return with(o -> o.stock = n);
    }

    public SimulationOptions withConcurrency(int n) {
        return with(o -> o.concurrency = n);
    }

    public SimulationOptions withAttempts(int n) {
        return with(o -> o.attempts = n);
    }

    public SimulationOptions withQuantity(int n) {
        return with(o -> o.quantity = n);
    }

    public SimulationOptions withDuration(Duration d) {
        return with(o -> o.duration = d);
    }

    public SimulationOptions withDrainTimeout(Duration d) {
        return with(o -> o.drainTimeout = d);
    }

    public SimulationOptions withOut(Path dir) {
        return with(o -> o.out = Optional.of(dir));
    }

    public SimulationOptions withWarmup(int n) {
        return with(o -> o.warmup = n);
    }

    public SimulationOptions withTicketed(boolean t) {
        return with(o -> o.ticketed = t);
    }

    public SimulationOptions withPollCap(Duration d) {
        return with(o -> o.pollCap = d);
    }

    public SimulationOptions withNoShowPercent(int n) {
        return with(o -> o.noShowPercent = n);
    }

    public SimulationOptions withPayment(PaymentMix mix) {
        return with(o -> o.payment = Optional.of(mix));
    }

    public SimulationOptions withBuckets(int n) {
        return with(o -> o.buckets = n);
    }

    public SimulationOptions withUrl(URI u) {
        return with(o -> o.url = Optional.of(u));
    }

    /** These options with {@code change} made to a copy (checked as any options are). */
    private SimulationOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.options();
    }

    /** A changeable copy of the options, for the {@code with...} methods. */
    private static final class Copy {
        int buyers;
        int stock;
        int concurrency;
        int attempts;
        int quantity;
        Duration duration;
        Duration drainTimeout;
        Optional<Path> out;
        Optional<URI> url;
        int warmup;
        boolean ticketed;
        Duration pollCap;
        int noShowPercent;
        Optional<PaymentMix> payment;
        int buckets;

        Copy(SimulationOptions o) {
            buyers = o.buyers;
            stock = o.stock;
            concurrency = o.concurrency;
            attempts = o.attempts;
            quantity = o.quantity;
            duration = o.duration;
            drainTimeout = o.drainTimeout;
            out = o.out;
            url = o.url;
            warmup = o.warmup;
            ticketed = o.ticketed;
            pollCap = o.pollCap;
            noShowPercent = o.noShowPercent;
            payment = o.payment;
            buckets = o.buckets;
        }

        SimulationOptions options() {
            return new SimulationOptions(
                    buyers,
                    stock,
                    concurrency,
                    attempts,
                    quantity,
                    duration,
                    drainTimeout,
                    out,
                    url,
                    warmup,
                    ticketed,
                    pollCap,
                    noShowPercent,
                    payment,
                    buckets);
        }
    }

    private static void check(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("--" + name + " must be in " + min + ".." + max + ", was " + v);
        }
    }
}

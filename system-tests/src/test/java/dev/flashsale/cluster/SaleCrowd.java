package dev.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buyers and confirmers of one sale, running on threads of their own while a test disturbs Redis (moves the sale's
 * slot, kills its master). Each buyer sends one reservation of one unit and, like a client, retries a 503 with the same
 * idempotency key until it is answered; each hold's confirmation message is confirmed, and retried on a 503 as SQS
 * redelivers it. Anything but a 503 (an internal error) fails the crowd: a disturbance must never surface as one.
 */
final class SaleCrowd implements AutoCloseable {

    private static final long RETRY_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final String saleId;
    private final ReservationStore store;
    private final ConfirmHandler confirmer;
    private final ExecutorService pool;
    private final List<Future<?>> buyers = new ArrayList<>();
    private final List<Future<?>> confirmers = new ArrayList<>();
    private final ConcurrentLinkedQueue<ConfirmationMessage> toConfirm = new ConcurrentLinkedQueue<>();
    private final Map<String, Reservation> promised = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final AtomicInteger soldOut = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicBoolean buyersDone = new AtomicBoolean();

    SaleCrowd(String saleId, ReservationStore store, ConfirmHandler confirmer, int threads) {
        this.saleId = saleId;
        this.store = store;
        this.confirmer = confirmer;
        this.pool = Executors.newFixedThreadPool(threads);
    }

    /** Starts {@code buyerThreads} threads of {@code buyersPerThread} buyers each, and {@code confirmerThreads}. */
    SaleCrowd start(int buyerThreads, int buyersPerThread, int confirmerThreads) {
        for (int t = 0; t < buyerThreads; t++) {
            int thread = t;
            buyers.add(pool.submit(() -> {
                for (int i = 0; i < buyersPerThread; i++) {
                    buy("b-" + thread + "-" + i);
                }
                return null;
            }));
        }
        for (int c = 0; c < confirmerThreads; c++) {
            confirmers.add(pool.submit(() -> {
                while (!(buyersDone.get() && toConfirm.isEmpty())) {
                    ConfirmationMessage m = toConfirm.poll();
                    if (m == null) {
                        Thread.sleep(2);
                        continue;
                    }
                    ConfirmOutcome o = untilAnswered(() -> confirmer.confirm(m));
                    assertThat(o)
                            .as(m.reservationId())
                            .isIn(ConfirmOutcome.CONFIRMED, ConfirmOutcome.ALREADY_CONFIRMED);
                }
                return null;
            }));
        }
        return this;
    }

    private void buy(String buyer) throws Exception {
        ReserveRequest request = new ReserveRequest(saleId, buyer, "k-" + buyer, 1);
        ReserveOutcome outcome = untilAnswered(() -> store.reserve(request));
        answered.incrementAndGet();
        if (outcome instanceof ReserveOutcome.Held h) {
            if (promised.putIfAbsent(h.reservation().id(), h.reservation()) == null) {
                toConfirm.add(ConfirmationMessage.of(h.reservation(), h.bucket()));
            }
        } else if (outcome instanceof ReserveOutcome.Refused r && r.refusal() instanceof Refusal.SoldOut) {
            soldOut.incrementAndGet();
        } else {
            throw new AssertionError("unexpected answer " + outcome);
        }
    }

    private <T> T untilAnswered(Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + RETRY_BUDGET_NANOS;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (DependencyUnavailableException e) {
                String kind = e.getCause() == null
                        ? "503 (breaker open or no replica ack)"
                        : "503 (" + e.getCause().getClass().getSimpleName() + " "
                                + String.valueOf(e.getCause().getMessage()).split(" ", 2)[0] + ")";
                failures.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(Math.min(200, 5L * attempt));
            }
        }
    }

    /** Waits until at least {@code n} buyers hold a unit. */
    void awaitPromised(int n) throws InterruptedException {
        while (promised.size() < n) {
            Thread.sleep(1);
        }
    }

    /** Waits for every buyer's answer, then for every hold's confirmation; rethrows what failed a thread. */
    void finish() throws Exception {
        for (Future<?> f : buyers) {
            f.get(120, TimeUnit.SECONDS);
        }
        buyersDone.set(true);
        for (Future<?> f : confirmers) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    /** Holds answered (201), by reservation id. */
    Map<String, Reservation> promised() {
        return promised;
    }

    int soldOut() {
        return soldOut.get();
    }

    /** Buyers answered so far (held or sold out). */
    int answered() {
        return answered.get();
    }

    /** 503s retried, by cause. */
    Map<String, AtomicInteger> failures() {
        return failures;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

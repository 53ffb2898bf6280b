package dev.flashsale.local.simulate;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/** What one crowd's reservation requests got: a sample per request, their latency, the holds and the sell-out. */
final class ReservationLog {

    final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    final ConcurrentHistogram latency = new ConcurrentHistogram(3);
    final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
    final AtomicLong acceptedUnits = new AtomicLong();
    final AtomicLong soldOutAtMicros = new AtomicLong(-1);
    private final int quantity;
    long startNanos;
    long endNanos;
    long cpuNanos;

    ReservationLog(int quantity) {
        this.quantity = quantity;
    }

    /** Records one reservation request sent at {@code t0} and answered at {@code t1} (status 0: no answer). */
    void record(long t0, long t1, int status, String body) {
        long latencyMicros = (t1 - t0) / 1000;
        String outcome = status == 0 ? "error" : Simulator.outcome(status, body);
        samples.add(new Sample((t0 - startNanos) / 1000, latencyMicros, status, outcome));
        latency.recordValue(Math.max(1, latencyMicros));
        if (status == 201) {
            accepted.add((t1 - startNanos) / 1000);
            acceptedUnits.addAndGet(quantity);
            if (Simulator.remaining(body) == 0) {
                soldOutAtMicros.compareAndSet(-1, (t1 - startNanos) / 1000);
            }
        }
    }

    long acceptedCount() {
        return accepted.size();
    }
}

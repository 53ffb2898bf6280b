package dev.flashsale.local.dashboard;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Messages waiting in the queues the SQS mappings read, and in their dead-letter queues, sampled every second by a
 * daemon thread (the local queue's approximate counters, as CloudWatch samples SQS's), kept {@value #KEEP_SECONDS} s.
 */
final class QueueDepth implements AutoCloseable {

    static final int KEEP_SECONDS = 600;

    private final List<String> queues;
    private final List<String> deadLetters;
    private final ToLongFunction<String> backlog;
    private final TreeMap<Long, long[]> samples = new TreeMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param backlog messages waiting or in flight in the queue of a logical id */
    QueueDepth(List<String> queues, List<String> deadLetters, ToLongFunction<String> backlog) {
        this.queues = queues;
        this.deadLetters = deadLetters;
        this.backlog = backlog;
        this.thread = new Thread(this::loop, "dashboard-queue-depth");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running) {
            try {
                long waiting = queues.stream().mapToLong(backlog).sum();
                long dead = deadLetters.stream().mapToLong(backlog).sum();
                long second = System.currentTimeMillis() / 1000;
                synchronized (samples) {
                    samples.put(second, new long[] {waiting, dead});
                    samples.headMap(second - KEEP_SECONDS).clear();
                }
            } catch (RuntimeException e) {
                // the queue is going away (the stack stops) or briefly unreachable: the next sample will tell
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** second → {waiting, dead letters}, from {@code since} on. */
    Map<Long, long[]> since(long since) {
        synchronized (samples) {
            return new TreeMap<>(samples.tailMap(since, true));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

package dev.flashsale.local.function;

/**
 * The thread an event source (a schedule, an SQS event source mapping) runs its loop on: a daemon named after the
 * source, started once, running until closed. Closing interrupts a sleep or a long poll and waits up to 5 s for the loop
 * to end.
 */
public final class EventLoop implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    public EventLoop(String name, Runnable loop) {
        this.thread = new Thread(loop, name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True until {@link #close}: the loop checks it before each step. */
    public boolean running() {
        return running;
    }

    /** Tells the loop to end (interrupting a sleep) without waiting for it: {@link #close} waits. */
    public void stop() {
        running = false;
        thread.interrupt();
    }

    @Override
    public void close() {
        stop();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

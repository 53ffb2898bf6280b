package dev.flashsale.net;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A client opened on first use and closed on demand (before a SnapStart snapshot: pooled sockets do not survive a
 * restore); the first use after a close opens a new one. Safe to share between threads: a client is opened at most once
 * at a time, and a close never races an open.
 *
 * @param <T> the client (a Redis client, an SQS client, an HTTP client)
 */
public final class LazyClient<T> {

    private final Supplier<T> open;
    private final Consumer<T> close;
    private volatile T client;

    /**
     * @param open  opens a new client
     * @param close closes one (its connections); called at most once per client
     */
    public LazyClient(Supplier<T> open, Consumer<T> close) {
        this.open = open;
        this.close = close;
    }

    /** The open client, opened now if there is none. */
    public T get() {
        T c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = open.get();
                    client = c;
                }
            }
        }
        return c;
    }

    /** Closes the open client, if any; the next {@link #get} opens a new one. */
    public synchronized void close() {
        T c = client;
        client = null;
        if (c != null) {
            close.accept(c);
        }
    }
}

package dev.flashsale.queue;

/** The confirmation queue did not take a message. */
public final class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

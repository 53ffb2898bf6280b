package dev.flashsale.queue;

/** A queue message this consumer cannot process, ever: retrying will not help, the DLQ is where it belongs. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}

package dev.flashsale.queue;

/** Where holds go to be confirmed. */
public interface ConfirmationQueue {

    /**
     * Sends the message, or throws.
     *
     * @throws QueueUnavailableException when the queue did not accept it (the caller must undo the hold)
     */
    void send(ConfirmationMessage message);

    /** Whether a send would be attempted now (false while the queue's circuit breaker is open). */
    default boolean accepting() {
        return true;
    }

    /** Exercises the send path's code without sending (priming before a SnapStart snapshot); never throws. */
    default void prime(ConfirmationMessage sample) {}
}

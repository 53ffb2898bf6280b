package dev.flashsale.confirm;

import dev.flashsale.resilience.DependencyUnavailableException;

/** What became of one message of a batch ({@link ConfirmHandler#confirmAll}): each message's result is its own. */
public sealed interface MessageResult {

    /** Decided (or found decided): the message is done and is acknowledged. */
    record Acknowledged(ConfirmOutcome outcome) implements MessageResult {}

    /** Its confirmation failed (a dependency, a refused statement, a bug, an injected crash): it must be redelivered. */
    record Failed(RuntimeException cause) implements MessageResult {}

    /** Not tried: an earlier message of the batch met {@code outage}, which this one would have waited for too. */
    record Deferred(DependencyUnavailableException outage) implements MessageResult {}
}

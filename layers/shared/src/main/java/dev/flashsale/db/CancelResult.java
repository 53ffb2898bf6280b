package dev.flashsale.db;

/** What {@link OrderPayments#cancel} did with a buyer's cancellation. */
public sealed interface CancelResult {

    /** The order was PENDING_PAYMENT and is CANCELLED now: its units left {@code sold}. */
    record Cancelled(CancelledOrder order) implements CancelResult {}

    /** The order is in {@code state} and cannot be cancelled (or was cancelled before: then nothing changed). */
    record NotCancellable(OrderState state) implements CancelResult {}

    /** The buyer has no order under this reservation in this sale (unknown, another buyer's, or not confirmed yet). */
    record NoOrder() implements CancelResult {}
}

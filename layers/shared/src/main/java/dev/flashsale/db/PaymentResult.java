package dev.flashsale.db;

import java.util.Optional;

/** What {@link OrderPayments#pay} did with a payment notification. */
public sealed interface PaymentResult {

    /**
     * The payment is recorded under its event id with {@code outcome}.
     *
     * @param replayed the event had been recorded before (a redelivery): nothing changed now
     */
    record Recorded(PaymentOutcome outcome, String saleId, String reservationId, boolean replayed)
            implements PaymentResult {}

    /** No order for the reservation (unknown, released, or not confirmed yet). Nothing recorded. */
    record NoOrder() implements PaymentResult {}

    /** The amount or currency is not the order's ({@code quantity × unit price}). Nothing recorded. */
    record AmountMismatch(long expectedCents, String currency) implements PaymentResult {}

    /** The order is final without payment (its sale has no payment window). Nothing recorded. */
    record NotPayable(OrderStatus status) implements PaymentResult {}

    /** The event id was recorded before for another reservation, amount or currency. Nothing changed. */
    record EventReused(String recordedReservationId) implements PaymentResult {}

    default Optional<Recorded> recorded() {
        return this instanceof Recorded r ? Optional.of(r) : Optional.empty();
    }
}

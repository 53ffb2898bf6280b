package dev.flashsale.db;

/**
 * A payment provider's notification that a reservation's order was paid.
 *
 * @param eventId     the provider's id of the event: a redelivery carries the same one
 * @param amountCents what was paid, in the currency's minor unit
 * @param currency    ISO 4217, three capital letters
 */
public record PaymentEvent(String eventId, String reservationId, long amountCents, String currency) {}

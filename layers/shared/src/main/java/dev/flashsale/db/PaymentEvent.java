package dev.flashsale.db;

/**
 * A payment provider's notification that a reservation's order was paid.
 *
 * @param eventId     the provider's id of the event: a redelivery carries the same one
 * @param amountCents what was paid, in the currency's minor unit
 * @param currency    ISO 4217, three capital letters
 */
public record PaymentEvent(String eventId, String reservationId, long amountCents, String currency) {

    public static final int MAX_ID_LENGTH = 200;
    /** What an event id may be: 1 to {@value #MAX_ID_LENGTH} of {@code A-Z a-z 0-9 _ . : -}. */
    public static final java.util.regex.Pattern ID =
            java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_ID_LENGTH + "}");
}

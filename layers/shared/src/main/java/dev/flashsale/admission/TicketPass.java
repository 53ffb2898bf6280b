package dev.flashsale.admission;

import java.time.Instant;

/**
 * A request's ticket as the reservation script needs it: what the ticket is worth, and when it expires. reserve.lua
 * checks the expiry again on the Redis clock, the one that also lapses admitted buyers, so a ticket is never honoured
 * after its buyer stopped counting as admitted.
 *
 * @param expiresAt the ticket's expiry; {@link Instant#EPOCH} when there is no genuine ticket
 */
public record TicketPass(TicketCheck check, Instant expiresAt) {

    /** No ticket presented. */
    public static final TicketPass ABSENT = new TicketPass(TicketCheck.ABSENT, Instant.EPOCH);

    static final TicketPass INVALID = new TicketPass(TicketCheck.INVALID, Instant.EPOCH);
}

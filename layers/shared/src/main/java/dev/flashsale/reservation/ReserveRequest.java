package dev.flashsale.reservation;

import dev.flashsale.admission.TicketCheck;
import dev.flashsale.admission.TicketPass;
import java.util.Objects;

/**
 * A validated request for a hold: who, on which sale, how many, under which idempotency key, and what the buyer's
 * admission ticket is worth (checked by the caller, without I/O; only a ticketed sale asks for {@link TicketCheck#VALID}).
 */
public record ReserveRequest(String saleId, String buyerId, String idempotencyKey, int quantity, TicketPass ticket) {

    public ReserveRequest {
        Objects.requireNonNull(ticket, "ticket");
    }

    /** A request without a ticket: what every request to an open sale is. */
    public ReserveRequest(String saleId, String buyerId, String idempotencyKey, int quantity) {
        this(saleId, buyerId, idempotencyKey, quantity, TicketPass.ABSENT);
    }
}

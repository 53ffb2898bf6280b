package dev.flashsale.admission;

import dev.flashsale.http.ProblemType;

/**
 * What a request's ticket is worth for the sale and buyer it was presented for. Reported to reserve.lua, which asks
 * for {@link #VALID} only when the sale is ticketed (an open sale ignores tickets).
 */
public enum TicketCheck {
    /** No ticket was presented. */
    ABSENT("absent", ProblemType.ADMISSION_REQUIRED),
    /** Signed with the key, for this sale and buyer, not expired. */
    VALID("valid", null),
    /** Genuine, for this sale and buyer, but past its expiry: the buyer's turn has passed. */
    EXPIRED("expired", ProblemType.TICKET_EXPIRED),
    /** Malformed, of an unknown version, not signed with the key, or for another sale or buyer. */
    INVALID("invalid", ProblemType.TICKET_INVALID);

    private final String wire;
    private final ProblemType refusal;

    TicketCheck(String wire, ProblemType refusal) {
        this.wire = wire;
        this.refusal = refusal;
    }

    /** The word reserve.lua receives and answers back. */
    public String wire() {
        return wire;
    }

    /** The problem a ticketed sale answers this with; null for {@link #VALID}. */
    public ProblemType refusal() {
        return refusal;
    }

    public static TicketCheck ofWire(String wire) {
        for (TicketCheck c : values()) {
            if (c.wire.equals(wire)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no ticket check '" + wire + "'");
    }
}

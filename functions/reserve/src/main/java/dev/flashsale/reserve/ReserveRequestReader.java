package dev.flashsale.reserve;

import dev.flashsale.admission.TicketPass;
import dev.flashsale.admission.Tickets;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.IdempotencyKey;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.json.Json;
import dev.flashsale.json.JsonException;
import dev.flashsale.reservation.ReserveRequest;
import java.time.Clock;
import java.util.Map;

/**
 * Turns {@code POST /sales/{saleId}/reservations} into a {@link ReserveRequest}, or refuses it with a precise 4xx
 * problem. Nothing here touches Redis: bad input changes nothing.
 */
public final class ReserveRequestReader {

    /** No flash sale sells more than this in one order; a sale's own per-order max is checked in Redis. */
    public static final int MAX_QUANTITY = 10_000;

    /** The header a buyer presents their admission ticket in (a ticketed sale asks for it; an open one ignores it). */
    public static final String TICKET_HEADER = "admission-ticket";

    private final boolean devMode;
    private final int maxBodyBytes;
    private final Tickets tickets;
    private final Clock clock;

    /**
     * @param devMode      accept the buyer from the X-Buyer-Id header when there is no JWT (local runs only)
     * @param maxBodyBytes bodies above this are refused with 413
     * @param tickets      verifies the admission ticket, if any, for the sale and buyer (no I/O)
     * @param clock        the ticket's expiry is checked against it
     */
    public ReserveRequestReader(boolean devMode, int maxBodyBytes, Tickets tickets, Clock clock) {
        this.devMode = devMode;
        this.maxBodyBytes = maxBodyBytes;
        this.tickets = tickets;
        this.clock = clock;
    }

    public ReserveRequest read(HttpRequest http) {
        String saleId = http.idParameter("saleId", ProblemType.INVALID_SALE_ID);
        String buyerId = http.buyerId(devMode);
        String key = IdempotencyKey.required(http, "so that retries do not reserve twice");
        http.requireJsonContentType();
        int quantity = quantity(http.body(maxBodyBytes));
        TicketPass ticket = tickets.check(http.header(TICKET_HEADER).orElse(null), saleId, buyerId, clock.instant());
        return new ReserveRequest(saleId, buyerId, key, quantity, ticket);
    }

    static int quantity(String body) {
        if (body.isBlank()) {
            throw new ProblemException(
                    ProblemType.INVALID_REQUEST, "the body must be a JSON object like {\"quantity\": 1}");
        }
        Map<String, Object> json;
        try {
            json = Json.readObject(body);
        } catch (JsonException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, e.getMessage());
        }
        for (String field : json.keySet()) {
            if (!field.equals("quantity")) {
                throw new ProblemException(
                        ProblemType.INVALID_REQUEST, "unknown field '" + field + "'; the body has only 'quantity'");
            }
        }
        if (!json.containsKey("quantity")) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "the field 'quantity' is required");
        }
        Object q = json.get("quantity");
        if (q instanceof Integer i) {
            if (i < 1 || i > MAX_QUANTITY) {
                throw new ProblemException(
                        ProblemType.INVALID_QUANTITY, "quantity must be between 1 and " + MAX_QUANTITY + ", was " + i);
            }
            return i;
        }
        if (q instanceof Number n
                && !(q instanceof Double)
                && !(q instanceof Float)
                && !(q instanceof java.math.BigDecimal)) {
            throw new ProblemException(
                    ProblemType.INVALID_QUANTITY, "quantity must be between 1 and " + MAX_QUANTITY + ", was " + n);
        }
        String type = q == null
                ? "null"
                : q instanceof Number
                        ? "a decimal number"
                        : q instanceof String
                                ? "a string"
                                : q instanceof Boolean ? "a boolean" : q instanceof Map ? "an object" : "an array";
        throw new ProblemException(ProblemType.INVALID_REQUEST, "quantity must be an integer, was " + type);
    }
}

package dev.flashsale.queue;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.flashsale.json.Json;
import dev.flashsale.json.JsonException;
import dev.flashsale.reservation.Reservation;

/**
 * The message that asks for a hold to be confirmed into an order. Versioned: a consumer refuses versions it does not
 * know instead of guessing.
 *
 * <pre>{"version":1,"reservationId":"01J...","saleId":"sale-42","buyerId":"u-1","quantity":2,
 *  "heldAt":"2026-11-22T10:00:00.123Z","expiresAt":"2026-11-22T10:10:00.123Z"}</pre>
 */
public record ConfirmationMessage(String reservationId, String saleId, String buyerId, int quantity, Instant heldAt, Instant expiresAt) {

    public static final int VERSION = 1;
    private static final Set<String> FIELDS = Set.of("version", "reservationId", "saleId", "buyerId", "quantity", "heldAt", "expiresAt");

    public static ConfirmationMessage of(Reservation r) {
        return new ConfirmationMessage(r.id(), r.saleId(), r.buyerId(), r.quantity(), r.createdAt(), r.expiresAt());
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("reservationId", reservationId);
        m.put("saleId", saleId);
        m.put("buyerId", buyerId);
        m.put("quantity", quantity);
        m.put("heldAt", heldAt.toString());
        m.put("expiresAt", expiresAt.toString());
        return Json.write(m);
    }

    /** @throws MalformedMessageException naming what is wrong */
    public static ConfirmationMessage fromJson(String json) {
        Map<String, Object> m;
        try {
            m = Json.readObject(json);
        } catch (JsonException e) {
            throw new MalformedMessageException(e.getMessage());
        }
        Object version = m.get("version");
        if (!(version instanceof Integer v) || v != VERSION) {
            throw new MalformedMessageException("unsupported message version " + version + " (this consumer reads " + VERSION + ")");
        }
        for (String key : m.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new MalformedMessageException("unknown field '" + key + "'");
            }
        }
        Object quantity = m.get("quantity");
        if (!(quantity instanceof Integer q) || q < 1) {
            throw new MalformedMessageException("quantity must be a positive integer, was " + quantity);
        }
        return new ConfirmationMessage(text(m, "reservationId"), text(m, "saleId"), text(m, "buyerId"), q,
                instant(m, "heldAt"), instant(m, "expiresAt"));
    }

    private static String text(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof String s) || s.isEmpty()) {
            throw new MalformedMessageException(field + " must be a non-empty string");
        }
        return s;
    }

    private static Instant instant(Map<String, Object> m, String field) {
        try {
            return Instant.parse(text(m, field));
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException(field + " must be an ISO-8601 instant");
        }
    }
}

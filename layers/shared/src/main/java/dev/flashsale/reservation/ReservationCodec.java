package dev.flashsale.reservation;

import dev.flashsale.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reservation JSON that the Lua scripts keep in {@code fs:{sale}:res}, read and written. */
public final class ReservationCodec {

    private ReservationCodec() {}

    public static Reservation decode(String saleId, String json) {
        Map<String, Object> m = Json.readObject(json);
        return new Reservation(
                (String) m.get("id"),
                saleId,
                (String) m.get("buyer"),
                ((Number) m.get("qty")).intValue(),
                ReservationStatus.valueOf((String) m.get("status")),
                Instant.ofEpochMilli(((Number) m.get("created")).longValue()),
                Instant.ofEpochMilli(((Number) m.get("expires")).longValue()),
                (String) m.get("key"));
    }

    /** The JSON reserve.lua records for a reservation (the sale is in the key, not the record). */
    public static String encode(Reservation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("buyer", r.buyerId());
        m.put("qty", r.quantity());
        m.put("status", r.status().name());
        m.put("created", r.createdAt().toEpochMilli());
        m.put("expires", r.expiresAt().toEpochMilli());
        m.put("key", r.idempotencyKey());
        return Json.write(m);
    }
}

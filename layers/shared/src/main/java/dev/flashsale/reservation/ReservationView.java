package dev.flashsale.reservation;

import java.util.LinkedHashMap;
import java.util.Map;

/** The API's JSON representation of a reservation. The buyer id and idempotency key are not echoed. */
public final class ReservationView {

    private ReservationView() {
    }

    public static Map<String, Object> of(Reservation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reservationId", r.id());
        m.put("saleId", r.saleId());
        m.put("quantity", r.quantity());
        m.put("status", r.status().name());
        m.put("createdAt", r.createdAt().toString());
        m.put("expiresAt", r.expiresAt().toString());
        return m;
    }

    /** With the sale's available stock right after this reservation. */
    public static Map<String, Object> of(Reservation r, long remaining) {
        Map<String, Object> m = of(r);
        m.put("remaining", remaining);
        return m;
    }

    public static String location(Reservation r) {
        return "/sales/" + r.saleId() + "/reservations/" + r.id();
    }
}

package dev.flashsale.admin;

import dev.flashsale.db.SaleRecord;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SalePhase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON views of sales for the admin API. */
final class SaleViews {

    private SaleViews() {}

    /**
     * @param available units available in Redis, or -1 when the sale is not loaded there
     */
    static Map<String, Object> of(SaleRecord r, long available, Instant now) {
        Sale s = r.sale();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("item", r.item());
        m.put("stock", s.stock());
        m.put("sold", r.sold());
        m.put("priceCents", r.priceCents());
        m.put("currency", r.currency());
        m.put("perBuyerLimit", s.perBuyerLimit());
        m.put("perOrderMax", s.perOrderMax());
        m.put("startsAt", s.startsAt().toString());
        m.put("endsAt", s.endsAt().toString());
        m.put("admission", s.admission().wire());
        m.put("createdAt", r.createdAt().toString());
        long remaining = available >= 0 ? available : s.stock() - r.sold();
        m.put("status", SalePhase.of(s.startsAt(), s.endsAt(), remaining, now).wire());
        m.put("loaded", available >= 0);
        if (available >= 0) {
            m.put("available", available);
        }
        return m;
    }

    static String location(String saleId) {
        return "/admin/sales/" + saleId;
    }
}

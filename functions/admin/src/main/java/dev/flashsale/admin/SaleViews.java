package dev.flashsale.admin;

import dev.flashsale.db.OrderStatus;
import dev.flashsale.db.PaymentCounts;
import dev.flashsale.db.SaleRecord;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SalePhase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON views of sales for the admin API. */
final class SaleViews {

    private SaleViews() {}

    /**
     * @param available units available in Redis (summed over its buckets), or -1 when the sale is not loaded there
     * @param buckets   each bucket's figures in Redis, for a loaded sale split into several; empty otherwise
     */
    static Map<String, Object> of(SaleRecord r, long available, List<BucketFigure> buckets, Instant now) {
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
        m.put("buckets", s.buckets());
        if (r.paymentWindow() != null) {
            m.put("paymentWindowSeconds", r.paymentWindow().toSeconds());
        }
        m.put("createdAt", r.createdAt().toString());
        long remaining = available >= 0 ? available : s.stock() - r.sold();
        m.put("status", SalePhase.of(s.startsAt(), s.endsAt(), remaining, now).wire());
        m.put("loaded", available >= 0);
        if (available >= 0) {
            m.put("available", available);
        }
        if (!buckets.isEmpty()) {
            m.put("perBucket", buckets.stream().map(BucketFigure::toMap).toList());
        }
        return m;
    }

    /** The sale's orders by payment state: {@code {"pending": {"orders": n, "units": u}, "paid": ..., ...}}. */
    static Map<String, Object> orders(PaymentCounts counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pending", count(counts, OrderStatus.PENDING_PAYMENT));
        m.put("paid", count(counts, OrderStatus.PAID));
        m.put("cancelled", count(counts, OrderStatus.CANCELLED));
        m.put("paidAfterCancel", count(counts, OrderStatus.PAID_AFTER_CANCEL));
        return m;
    }

    private static Map<String, Object> count(PaymentCounts counts, OrderStatus status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orders", counts.orders(status));
        m.put("units", counts.units(status));
        return m;
    }

    static String location(String saleId) {
        return "/admin/sales/" + saleId;
    }
}

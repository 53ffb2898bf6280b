package dev.flashsale.admin;

import dev.flashsale.db.OrderPayments;
import dev.flashsale.db.SaleRecord;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleSync;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin operations. Sales are created in the database only (prewarm or the first reservation loads them into
 * Redis); a repeated create with the same definition is an idempotent replay, a different one for the same id a
 * conflict. Stock only changes through {@link #addStock}, before the sale starts.
 */
public final class AdminHandler {

    private final SaleRepository sales;
    private final SaleCache cache;
    private final SaleSync sync;
    private final Clock clock;
    private final IdGenerator ids;
    private final OrderPayments payments;

    /** @param ids names a stock change the caller gave no Idempotency-Key for */
    public AdminHandler(
            SaleRepository sales,
            SaleCache cache,
            SaleSync sync,
            Clock clock,
            IdGenerator ids,
            OrderPayments payments) {
        this.payments = payments;
        this.sales = sales;
        this.cache = cache;
        this.sync = sync;
        this.clock = clock;
        this.ids = ids;
    }

    public sealed interface Created {
        Map<String, Object> view();

        record New(Map<String, Object> view) implements Created {}

        record Replayed(Map<String, Object> view) implements Created {}
    }

    public Created create(SaleDraft d) {
        if (sales.create(d.sale(), d.item(), d.priceCents(), d.currency(), d.paymentWindow())) {
            return new Created.New(view(find(d.sale().id())));
        }
        SaleRecord existing = find(d.sale().id());
        if (!existing.sameDefinition(d.sale(), d.item(), d.priceCents(), d.currency(), d.paymentWindow())) {
            throw new ProblemException(Problem.of(
                            ProblemType.SALE_EXISTS,
                            "sale '" + d.sale().id() + "' exists with a different definition; choose another id")
                    .with("saleId", d.sale().id()));
        }
        return new Created.Replayed(view(existing));
    }

    /** One sale, with its orders by payment state when it has a payment window. */
    public Optional<Map<String, Object>> get(String saleId) {
        return sales.find(saleId).map(r -> {
            Map<String, Object> view = view(r);
            if (r.paymentWindow() != null) {
                view.put("orders", SaleViews.orders(payments.counts(saleId)));
            }
            return view;
        });
    }

    /**
     * The sale's payments to refund, a page by event id: {@code {"refunds": [{eventId, reservationId, amountCents,
     * currency, outcome, receivedAt}], "next": "<event id>"}}, {@code next} absent on the last page.
     */
    public Map<String, Object> refunds(String saleId, String afterEventId, int limit) {
        find(saleId);
        List<OrderPayments.Refund> page = payments.refunds(saleId, afterEventId, limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (OrderPayments.Refund r : page.subList(0, Math.min(limit, page.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eventId", r.eventId());
            m.put("reservationId", r.reservationId());
            m.put("amountCents", r.amountCents());
            m.put("currency", r.currency());
            m.put("outcome", r.outcome().name());
            m.put("receivedAt", r.receivedAt().toString());
            items.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("refunds", items);
        if (page.size() > limit) {
            body.put("next", page.get(limit - 1).eventId());
        }
        return body;
    }

    /** A page of sales by id; {@code next} is the cursor for the following page, absent on the last one. */
    public Map<String, Object> list(String after, int limit) {
        List<SaleRecord> page = sales.page(after, limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (SaleRecord r : page.subList(0, Math.min(limit, page.size()))) {
            items.add(view(r));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sales", items);
        if (page.size() > limit) {
            body.put("next", page.get(limit - 1).id());
        }
        return body;
    }

    /**
     * Adds units before the start, once per {@code idempotencyKey}: a repeat with the same key and units changes nothing
     * and answers the sale as it is; the same key with other units is refused. Without a key the change is still applied
     * once however often the database connection retries it, but a repeated request adds again.
     */
    public Map<String, Object> addStock(String saleId, Optional<String> idempotencyKey, int units) {
        String operationId = idempotencyKey.orElseGet(ids::next);
        SaleSync.StockChange change = sync.addStockBeforeStart(saleId, operationId, units, clock.instant())
                .orElseThrow(() -> notFound(saleId));
        return switch (change) {
            case SaleSync.StockChange.Added added -> view(find(saleId));
            case SaleSync.StockChange.Replayed replayed -> view(find(saleId));
            case SaleSync.StockChange.OperationReused reused ->
                throw new ProblemException(Problem.of(
                                ProblemType.IDEMPOTENCY_KEY_REUSED,
                                "this Idempotency-Key already added " + reused.unitsApplied() + " units; adding "
                                        + units + " needs a new key")
                        .with("unitsAdded", reused.unitsApplied()));
            case SaleSync.StockChange.Refused refused ->
                throw new ProblemException(Problem.of(
                                ProblemType.SALE_ALREADY_STARTED,
                                "stock can only be added before the sale starts at "
                                        + refused.sale().sale().startsAt())
                        .with("startsAt", refused.sale().sale().startsAt().toString()));
        };
    }

    private SaleRecord find(String saleId) {
        return sales.find(saleId).orElseThrow(() -> notFound(saleId));
    }

    private Map<String, Object> view(SaleRecord r) {
        int count = r.sale().buckets();
        long available = cache.available(r.id(), count);
        List<BucketFigure> buckets =
                available >= 0 && count > 1 ? BucketFigure.read(cache.redis(), r.id(), count) : List.of();
        return SaleViews.of(r, available, buckets, clock.instant());
    }

    static ProblemException notFound(String saleId) {
        return new ProblemException(Problem.of(ProblemType.SALE_NOT_FOUND, "no sale '" + saleId + "'")
                .with("saleId", saleId));
    }
}

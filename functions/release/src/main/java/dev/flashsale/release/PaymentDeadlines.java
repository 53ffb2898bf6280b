package dev.flashsale.release;

import dev.flashsale.db.CancelledOrder;
import dev.flashsale.db.OrderPayments;
import dev.flashsale.payment.OrderCancellations;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release job's second half: orders past their payment deadline are cancelled and their units put back on sale
 * ({@link OrderCancellations}), a page per sale per turn, sales taking turns as the holds do, within the same bounds
 * ({@link ReleaseSettings}: at most {@code maxPerRun} orders, {@code maxSales} sales, stopping {@code timeReserve}
 * before the function's timeout). Overlapping runs are safe: a cancellation is one conditional transition from
 * PENDING_PAYMENT, and an order whose row a payment holds is skipped until the next run.
 */
public final class PaymentDeadlines {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentDeadlines.class);

    private final OrderPayments payments;
    private final OrderCancellations cancellations;
    private final ReleaseSettings settings;
    private final Clock clock;

    public PaymentDeadlines(
            OrderPayments payments, OrderCancellations cancellations, ReleaseSettings settings, Clock clock) {
        this.payments = payments;
        this.cancellations = cancellations;
        this.settings = settings;
        this.clock = clock;
    }

    /** What one run did: sales with overdue orders looked at, orders and units cancelled, errors, budget exhausted. */
    public record Summary(int sales, int ordersCancelled, int unitsCancelled, int errors, boolean exhausted) {

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("overdueSales", sales);
            m.put("ordersCancelled", ordersCancelled);
            m.put("unitsCancelled", unitsCancelled);
            m.put("overdueErrors", errors);
            m.put("overdueExhausted", exhausted);
            return m;
        }
    }

    public Summary run(Instant deadline) {
        Instant stopAt = deadline.minus(settings.timeReserve());
        List<String> saleIds;
        try {
            saleIds = payments.salesWithOverdueOrders(settings.maxSales());
        } catch (DependencyUnavailableException e) {
            LOG.warn("payment deadlines skipped: the database is unavailable ({})", e.getMessage());
            return new Summary(0, 0, 0, 1, false);
        }
        int budget = settings.maxPerRun();
        int orders = 0;
        int units = 0;
        int errors = 0;
        boolean exhausted = false;
        Deque<String> turns = new ArrayDeque<>(saleIds);
        while (!turns.isEmpty()) {
            if (budget <= 0 || !clock.instant().isBefore(stopAt)) {
                exhausted = true;
                break;
            }
            String saleId = turns.poll();
            int share = Math.max(1, Math.min(ReleaseHandler.PAGE, budget / (turns.size() + 1)));
            try {
                List<CancelledOrder> cancelled = cancellations.cancelOverdue(saleId, share);
                budget -= cancelled.size();
                orders += cancelled.size();
                units += cancelled.stream().mapToInt(CancelledOrder::quantity).sum();
                if (cancelled.size() == share) {
                    turns.add(saleId);
                }
            } catch (RuntimeException e) {
                errors++;
                LOG.error("payment deadlines failed on sale {}; the next run retries", saleId, e);
            }
        }
        Summary summary = new Summary(saleIds.size(), orders, units, errors, exhausted);
        if (orders > 0 || errors > 0) {
            LOG.info("payment deadlines: {}", summary);
        }
        return summary;
    }
}

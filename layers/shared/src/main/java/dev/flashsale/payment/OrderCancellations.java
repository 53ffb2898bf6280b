package dev.flashsale.payment;

import dev.flashsale.db.CancelResult;
import dev.flashsale.db.CancelledOrder;
import dev.flashsale.db.OrderPayments;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels orders and puts their units back on sale, exactly once: the database first (the order CANCELLED and its units
 * off {@code sold}, in one transaction: that is the decision), then Redis ({@link UnitsReturn}: the units back in the
 * available stock and off the buyer's count), then the database records that Redis followed. A crash or a Redis outage
 * after the decision leaves the return unrecorded, and reconciliation finishes it (sync-sale.lua) without adding the
 * units a second time: the counter it sets is computed from the database, and either step only touches a record that
 * is still CONFIRMED.
 */
public final class OrderCancellations {

    private static final Logger LOG = LoggerFactory.getLogger(OrderCancellations.class);

    /** Step boundaries, for fault injection in tests. */
    public enum Step {
        /** The database has no order for the reservation (yet: its confirmation may be under way). */
        NO_ORDER,
        /** The database cancelled the orders; Redis does not know yet. */
        CANCELLED,
        /** Redis took the units back; the database has not recorded it yet. */
        RETURNED
    }

    private final OrderPayments payments;
    private final UnitsReturn units;
    private final Consumer<Step> afterStep;

    /** @param afterStep called at each step boundary; a test makes it throw to simulate a crash there */
    public OrderCancellations(OrderPayments payments, UnitsReturn units, Consumer<Step> afterStep) {
        this.payments = payments;
        this.units = units;
        this.afterStep = afterStep;
    }

    public OrderCancellations(OrderPayments payments, UnitsReturn units) {
        this(payments, units, step -> {});
    }

    /** The buyer cancels their unpaid order. What the database decided is the answer, whatever Redis does next. */
    public CancelResult cancelByBuyer(String saleId, String reservationId, String buyerId) {
        CancelResult result = payments.cancel(saleId, reservationId, buyerId);
        if (result instanceof CancelResult.Cancelled cancelled) {
            returnUnits(saleId, List.of(cancelled.order()));
        } else if (result instanceof CancelResult.NoOrder) {
            afterStep.accept(Step.NO_ORDER);
        }
        return result;
    }

    /** Cancels up to {@code limit} of the sale's overdue orders and returns their units; how many were cancelled. */
    public List<CancelledOrder> cancelOverdue(String saleId, int limit) {
        List<CancelledOrder> cancelled = payments.cancelOverdue(saleId, limit);
        returnUnits(saleId, cancelled);
        return cancelled;
    }

    private void returnUnits(String saleId, List<CancelledOrder> cancelled) {
        if (cancelled.isEmpty()) {
            return;
        }
        afterStep.accept(Step.CANCELLED);
        UnitsReturn.Returned returned;
        try {
            returned = units.follow(saleId, cancelled);
        } catch (RuntimeException e) {
            LOG.warn(
                    "sale {}: {} cancelled orders' units could not be returned to Redis now ({}); reconciliation returns them",
                    saleId,
                    cancelled.size(),
                    e.toString());
            return;
        }
        afterStep.accept(Step.RETURNED);
        List<String> followed = returned.followed();
        if (followed.size() < cancelled.size()) {
            LOG.warn(
                    "sale {}: Redis could not take back the units of every cancelled order now ({}); reconciliation does",
                    saleId,
                    returned.answers());
        }
        try {
            payments.markUnitsReturned(followed);
        } catch (RuntimeException e) {
            LOG.warn(
                    "sale {}: the return of {} cancelled orders' units was not recorded ({}); reconciliation records it",
                    saleId,
                    followed.size(),
                    e.toString());
        }
    }
}

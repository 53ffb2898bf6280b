package dev.flashsale.db;

import dev.flashsale.sale.Sale;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A sale as the database holds it: its definition, what it sells and at what price, and the units sold (in orders).
 *
 * @param priceCents    unit price in the currency's minor unit
 * @param sold          units in orders that hold stock (CONFIRMED, PENDING_PAYMENT, PAID; not cancelled ones)
 * @param paymentWindow how long a buyer has to pay for an order; null: orders are final when confirmed
 */
public record SaleRecord(
        Sale sale, String item, long priceCents, String currency, int sold, Instant createdAt, Duration paymentWindow) {

    /** A sale without a payment window. */
    public SaleRecord(Sale sale, String item, long priceCents, String currency, int sold, Instant createdAt) {
        this(sale, item, priceCents, currency, sold, createdAt, null);
    }

    public String id() {
        return sale.id();
    }

    /** Same definition (ignores sold and createdAt): a create request repeated with the same body. */
    public boolean sameDefinition(
            Sale other, String otherItem, long otherPriceCents, String otherCurrency, Duration otherPaymentWindow) {
        return sale.equals(other)
                && item.equals(otherItem)
                && priceCents == otherPriceCents
                && currency.equals(otherCurrency)
                && Objects.equals(paymentWindow, otherPaymentWindow);
    }
}

package dev.flashsale.db;

import dev.flashsale.sale.Sale;
import java.time.Instant;

/**
 * A sale as the database holds it: its definition, what it sells and at what price, and the units sold (in orders).
 *
 * @param priceCents unit price in the currency's minor unit
 * @param sold       units in confirmed orders
 */
public record SaleRecord(Sale sale, String item, long priceCents, String currency, int sold, Instant createdAt) {

    public String id() {
        return sale.id();
    }

    /** Same definition (ignores sold and createdAt): a create request repeated with the same body. */
    public boolean sameDefinition(Sale other, String otherItem, long otherPriceCents, String otherCurrency) {
        return sale.equals(other)
                && item.equals(otherItem)
                && priceCents == otherPriceCents
                && currency.equals(otherCurrency);
    }
}

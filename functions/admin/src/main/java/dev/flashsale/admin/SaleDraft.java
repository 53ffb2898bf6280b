package dev.flashsale.admin;

import dev.flashsale.sale.Sale;
import java.time.Duration;

/**
 * A validated request to create a sale.
 *
 * @param paymentWindow how long buyers have to pay for an order; null: orders are final when confirmed
 */
public record SaleDraft(Sale sale, String item, long priceCents, String currency, Duration paymentWindow) {}

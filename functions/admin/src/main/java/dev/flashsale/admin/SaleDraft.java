package dev.flashsale.admin;

import dev.flashsale.sale.Sale;

/** A validated request to create a sale. */
public record SaleDraft(Sale sale, String item, long priceCents, String currency) {}

package dev.flashsale.sale;

import java.time.Instant;

/**
 * A flash sale's definition.
 *
 * @param stock         units for sale
 * @param perBuyerLimit units one buyer may hold or buy in this sale
 * @param perOrderMax   units one reservation may take
 */
public record Sale(String id, int stock, int perBuyerLimit, int perOrderMax, Instant startsAt, Instant endsAt) {

    public Sale {
        if (stock < 0) {
            throw new IllegalArgumentException("stock must be >= 0, was " + stock);
        }
        if (perBuyerLimit < 1 || perOrderMax < 1) {
            throw new IllegalArgumentException("limits must be >= 1");
        }
        if (!endsAt.isAfter(startsAt)) {
            throw new IllegalArgumentException("a sale must end after it starts");
        }
    }
}

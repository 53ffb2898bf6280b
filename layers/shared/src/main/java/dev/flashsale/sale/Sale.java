package dev.flashsale.sale;

import java.time.Instant;
import java.util.Objects;

/**
 * A flash sale's definition.
 *
 * @param stock         units for sale
 * @param perBuyerLimit units one buyer may hold or buy in this sale
 * @param perOrderMax   units one reservation may take
 * @param admission     who may reserve: everyone ({@link Admission#OPEN}) or ticket holders
 */
public record Sale(
        String id,
        int stock,
        int perBuyerLimit,
        int perOrderMax,
        Instant startsAt,
        Instant endsAt,
        Admission admission) {

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
        Objects.requireNonNull(admission, "admission");
    }

    /** An {@link Admission#OPEN} sale, the default (and every sale made before admission existed). */
    public Sale(String id, int stock, int perBuyerLimit, int perOrderMax, Instant startsAt, Instant endsAt) {
        this(id, stock, perBuyerLimit, perOrderMax, startsAt, endsAt, Admission.OPEN);
    }

    public boolean ticketed() {
        return admission == Admission.TICKETED;
    }
}

package dev.flashsale.sale;

import dev.flashsale.redis.Buckets;
import java.time.Instant;
import java.util.Objects;

/**
 * A flash sale's definition.
 *
 * @param stock         units for sale
 * @param perBuyerLimit units one buyer may hold or buy in this sale
 * @param perOrderMax   units one reservation may take
 * @param admission     who may reserve: everyone ({@link Admission#OPEN}) or ticket holders
 * @param buckets       stock buckets in Redis (1..{@value Buckets#MAX}; {@link Buckets}): 1 keeps the sale on one
 *                      hash tag; more spread a hot sale over Redis Cluster shards. A ticketed sale has one.
 */
public record Sale(
        String id,
        int stock,
        int perBuyerLimit,
        int perOrderMax,
        Instant startsAt,
        Instant endsAt,
        Admission admission,
        int buckets) {

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
        if (buckets < 1 || buckets > Buckets.MAX) {
            throw new IllegalArgumentException("buckets must be 1.." + Buckets.MAX + ", was " + buckets);
        }
        if (buckets > 1 && admission == Admission.TICKETED) {
            throw new IllegalArgumentException("a ticketed sale has one bucket");
        }
    }

    /** A sale in one bucket. */
    public Sale(
            String id,
            int stock,
            int perBuyerLimit,
            int perOrderMax,
            Instant startsAt,
            Instant endsAt,
            Admission admission) {
        this(id, stock, perBuyerLimit, perOrderMax, startsAt, endsAt, admission, 1);
    }

    /** An {@link Admission#OPEN} sale, the default (and every sale made before admission existed). */
    public Sale(String id, int stock, int perBuyerLimit, int perOrderMax, Instant startsAt, Instant endsAt) {
        this(id, stock, perBuyerLimit, perOrderMax, startsAt, endsAt, Admission.OPEN, 1);
    }

    public boolean ticketed() {
        return admission == Admission.TICKETED;
    }
}

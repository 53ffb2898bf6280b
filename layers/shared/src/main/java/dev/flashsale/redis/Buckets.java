package dev.flashsale.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A sale's stock buckets: a hot sale may be split into several, each its own hash tag ({@link SaleKeys#tag()}), so that
 * Redis Cluster spreads one sale's reservations over several shards. A buyer always lands in the same home bucket,
 * {@code crc32(buyer) mod n}, where their count, idempotency keys, token bucket and reservations live, so a
 * reservation is still one script in one slot; stock moves between buckets when a home bucket runs short
 * ({@code dev.flashsale.reservation.StockTransfers}). One bucket (the default) is the layout of a sale that was never
 * split.
 */
public final class Buckets {

    /** The most buckets a sale may have. */
    public static final int MAX = 16;

    private Buckets() {}

    /** The buyer's home bucket in a sale of {@code count} buckets. */
    public static int home(String buyerId, int count) {
        if (count == 1) {
            return 0;
        }
        CRC32 crc = new CRC32();
        crc.update(buyerId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    /** The keys of the buyer's home bucket. */
    public static SaleKeys homeKeys(String saleId, String buyerId, int count) {
        return new SaleKeys(saleId, home(buyerId, count));
    }

    /** The keys of every bucket of the sale, bucket 0 first. */
    public static List<SaleKeys> all(String saleId, int count) {
        List<SaleKeys> keys = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            keys.add(new SaleKeys(saleId, b));
        }
        return keys;
    }

    /** Bucket b's share of {@code stock} units split over {@code count} buckets (the first ones take the remainder). */
    public static int share(int stock, int count, int bucket) {
        return stock / count + (bucket < stock % count ? 1 : 0);
    }
}

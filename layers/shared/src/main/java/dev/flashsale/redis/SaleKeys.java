package dev.flashsale.redis;

import java.util.List;

/**
 * The Redis key layout of one sale's stock bucket, in one place. Every key carries the bucket's hash tag so that every
 * script touches a single cluster slot: {@code fs:{saleId}:...} for bucket 0 (a sale with one bucket, the default, has
 * only that one) and {@code fs:{saleId#b}:...} for bucket b of a sale split into several ({@link Buckets}), which
 * Redis Cluster places on different slots. A buyer's keys and reservations live in their home bucket; the waiting
 * room's keys (a ticketed sale has one bucket) and the loader's lock live in bucket 0.
 *
 * <ul>
 *   <li>{@code meta}: hash with {@code stock} (total), {@code start}/{@code end} (epoch ms), {@code limit} (units per
 *       buyer), {@code max} (units per order), {@code admission} ({@code open} or {@code ticketed}),
 *       {@code reconciled} (epoch ms of the last reconciliation), {@code buckets} (how many the sale has) and, in a
 *       sale with several, {@code allot} (the units assigned to this bucket: its share at load, plus units received,
 *       minus units lent)</li>
 *   <li>{@code stock}: available units (string counter; negative only while a reconciliation's deficit is paid
 *       back)</li>
 *   <li>{@code holds}: sorted set of HELD reservation ids scored by hold deadline (epoch ms)</li>
 *   <li>{@code claims}: sorted set of CLAIMED reservation ids scored by claim deadline (epoch ms)</li>
 *   <li>{@code reservations}: hash reservation id &rarr; reservation JSON</li>
 *   <li>{@code idempotency}: hash {@code buyer \n key} &rarr; reservation id</li>
 *   <li>{@code units}: hash buyer &rarr; units held, claimed or confirmed</li>
 *   <li>{@code resent}: hash reservation id &rarr; when a replay last re-sent its confirmation (epoch ms)</li>
 *   <li>{@code bucket:<buyer>}: the buyer's token bucket for this sale, a string {@code "<tokens> <ms>"} (a new name:
 *       the hash {@code rate:<buyer>} of earlier versions expires within seconds)</li>
 *   <li>{@code lent}: hash transfer id &rarr; {@code "<to bucket> <units> <epoch ms>"}: units this bucket lent to
 *       another one (the transfer journal, kept with the sale's keys)</li>
 *   <li>{@code received}: hash transfer id &rarr; {@code "<from bucket> <units>"}: units this bucket accepted</li>
 *   <li>{@code loader}: short lock held by the one environment loading the sale from the database</li>
 *   <li>{@code q:line}: a ticketed sale's queue, a list of buyers in arrival order (position = index + 1)</li>
 *   <li>{@code q:pos}: hash buyer &rarr; their position in the queue (one place per buyer)</li>
 *   <li>{@code q:admits}: sorted set of admitted buyers who have not taken a hold yet, scored by their ticket's
 *       deadline (epoch ms)</li>
 *   <li>{@code q:gate}: hash with {@code upto} (positions admitted so far: the one field every waiting buyer polls),
 *       {@code at} (the admission rate's clock, epoch ms)</li>
 * </ul>
 */
public record SaleKeys(String saleId, int bucket) {

    public static final String PREFIX = "fs:";

    public SaleKeys {
        if (saleId == null || saleId.isEmpty() || saleId.indexOf('{') >= 0 || saleId.indexOf('}') >= 0) {
            throw new IllegalArgumentException("sale id must be non-empty and free of braces");
        }
        if (bucket < 0 || bucket >= Buckets.MAX) {
            throw new IllegalArgumentException("bucket must be 0.." + (Buckets.MAX - 1) + ", was " + bucket);
        }
    }

    /** Bucket 0: all of a sale with one bucket. */
    public SaleKeys(String saleId) {
        this(saleId, 0);
    }

    /** The hash tag of this bucket's keys. */
    public String tag() {
        return bucket == 0 ? saleId : saleId + "#" + bucket;
    }

    private String key(String suffix) {
        return PREFIX + "{" + tag() + "}:" + suffix;
    }

    public String lent() {
        return key("lent");
    }

    public String received() {
        return key("received");
    }

    public String meta() {
        return key("meta");
    }

    public String stock() {
        return key("stock");
    }

    public String holds() {
        return key("holds");
    }

    public String claims() {
        return key("claims");
    }

    public String reservations() {
        return key("res");
    }

    public String idempotency() {
        return key("idem");
    }

    public String units() {
        return key("units");
    }

    public String resent() {
        return key("resent");
    }

    public String rateBucket(String buyerId) {
        return key("bucket:" + buyerId);
    }

    /** A buyer's token bucket for reading their place in the waiting room ({@code "<tokens> <ms>"}). */
    public String placeBucket(String buyerId) {
        return key("q:poll:" + buyerId);
    }

    public String loader() {
        return key("loader");
    }

    public String queueLine() {
        return key("q:line");
    }

    public String queuePositions() {
        return key("q:pos");
    }

    public String admits() {
        return key("q:admits");
    }

    public String gate() {
        return key("q:gate");
    }

    /** Every key of the sale except the per-buyer rate buckets (reservations' and place reads'). */
    public List<String> all() {
        return List.of(
                meta(),
                stock(),
                holds(),
                claims(),
                reservations(),
                idempotency(),
                units(),
                resent(),
                lent(),
                received(),
                queueLine(),
                queuePositions(),
                admits(),
                gate());
    }
}

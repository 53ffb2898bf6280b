package dev.flashsale.redis;

import java.util.List;

/**
 * The Redis key layout of one sale, in one place. Every key carries the sale's hash tag
 * ({@code fs:{saleId}:...}) so that every script touches a single cluster slot.
 *
 * <ul>
 *   <li>{@code meta}: hash with {@code stock} (total), {@code start}/{@code end} (epoch ms), {@code limit} (units per
 *       buyer), {@code max} (units per order), {@code admission} ({@code open} or {@code ticketed}),
 *       {@code reconciled} (epoch ms of the last reconciliation)</li>
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
 *   <li>{@code loader}: short lock held by the one environment loading the sale from the database</li>
 *   <li>{@code q:line}: a ticketed sale's queue, a list of buyers in arrival order (position = index + 1)</li>
 *   <li>{@code q:pos}: hash buyer &rarr; their position in the queue (one place per buyer)</li>
 *   <li>{@code q:admits}: sorted set of admitted buyers who have not taken a hold yet, scored by their ticket's
 *       deadline (epoch ms)</li>
 *   <li>{@code q:gate}: hash with {@code upto} (positions admitted so far: the one field every waiting buyer polls),
 *       {@code at} (the admission rate's clock, epoch ms)</li>
 * </ul>
 */
public record SaleKeys(String saleId) {

    public static final String PREFIX = "fs:";

    public SaleKeys {
        if (saleId == null || saleId.isEmpty() || saleId.indexOf('{') >= 0 || saleId.indexOf('}') >= 0) {
            throw new IllegalArgumentException("sale id must be non-empty and free of braces");
        }
    }

    private String key(String suffix) {
        return PREFIX + "{" + saleId + "}:" + suffix;
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
                queueLine(),
                queuePositions(),
                admits(),
                gate());
    }
}

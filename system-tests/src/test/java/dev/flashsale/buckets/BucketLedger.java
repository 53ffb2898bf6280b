package dev.flashsale.buckets;

import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.TransferEntry;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every bucket of a split sale as Redis has it, read one bucket after another: for the tests' conservation checks
 * (the invariant checker does the same for a whole sale against the database).
 *
 * @param available  each bucket's counter
 * @param allot      each bucket's allotment
 * @param held       units HELD or CLAIMED in each bucket
 * @param confirmed  units CONFIRMED in each bucket
 * @param inTransit  units lent and not (yet) accepted
 * @param misplaced  reservations whose buyer's home is another bucket
 */
public record BucketLedger(
        List<Long> available,
        List<Long> allot,
        List<Long> held,
        List<Long> confirmed,
        long inTransit,
        List<String> misplaced,
        int transfers) {

    public static BucketLedger read(RedisConnection redis, String saleId, int count) {
        List<Long> available = new ArrayList<>();
        List<Long> allot = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        List<Long> confirmed = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        Map<String, Long> lent = new HashMap<>();
        Set<String> received = new HashSet<>();
        for (SaleKeys k : Buckets.all(saleId, count)) {
            String v = redis.call(c -> c.get(k.stock()));
            available.add(v == null ? 0 : Long.parseLong(v));
            String a = redis.call(c -> c.hget(k.meta(), "allot"));
            allot.add(a == null ? -1 : Long.parseLong(a));
            long h = 0;
            long done = 0;
            for (String json : redis.call(c -> c.hgetAll(k.reservations())).values()) {
                Reservation r = ReservationCodec.decode(saleId, json);
                if (r.status() == ReservationStatus.HELD || r.status() == ReservationStatus.CLAIMED) {
                    h += r.quantity();
                } else if (r.status() == ReservationStatus.CONFIRMED) {
                    done += r.quantity();
                }
                if (Buckets.home(r.buyerId(), count) != k.bucket()) {
                    misplaced.add(r.id() + " in bucket " + k.bucket());
                }
            }
            held.add(h);
            confirmed.add(done);
            redis.call(c -> c.hgetAll(k.lent()))
                    .forEach((id, entry) ->
                            lent.put(id, TransferEntry.lent(entry).orElseThrow().units()));
            received.addAll(redis.call(c -> c.hkeys(k.received())));
        }
        long inTransit = lent.entrySet().stream()
                .filter(e -> !received.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
        return new BucketLedger(available, allot, held, confirmed, inTransit, misplaced, lent.size());
    }

    /** Units on the counters, below-zero buckets counting as none (what a buyer could take now). */
    public long reservable() {
        return available.stream().mapToLong(v -> Math.max(0, v)).sum();
    }

    public long sum(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sum();
    }

    /** available + held + confirmed + in transit, over every bucket: the stock when nothing was created or lost. */
    public long accounted() {
        return sum(available) + sum(held) + sum(confirmed) + inTransit;
    }

    /** Σ allotments + units in transit: the stock when no transfer created or lost a unit. */
    public long allotted() {
        return sum(allot) + inTransit;
    }

    /** Per bucket, available + held + confirmed == allotment. */
    public boolean bucketsBalance() {
        for (int b = 0; b < available.size(); b++) {
            if (available.get(b) + held.get(b) + confirmed.get(b) != allot.get(b)) {
                return false;
            }
        }
        return true;
    }
}

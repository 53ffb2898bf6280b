package dev.flashsale.payment;

import dev.flashsale.db.CancelReason;
import dev.flashsale.db.CancelledOrder;
import dev.flashsale.redis.BucketCounts;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Redis follows the database's cancellation of orders ({@code return-units.lua}): each record that still counts the
 * units (CONFIRMED, or HELD/CLAIMED when the confirmer has not settled it yet) becomes CANCELLED, its units go back to
 * the available stock and off the buyer's count, once. Safe to repeat: a record that is
 * CANCELLED already is not touched.
 */
public final class UnitsReturn {

    /** Answers after which nothing is left for Redis to follow: the units are back, or were before, or the record is gone. */
    private static final Set<String> FOLLOWED = Set.of("RETURNED", "DONE", "MISSING");

    private final RedisConnection redis;
    private final BucketCounts buckets;

    /** @param buckets the environment's bucket counts (the reservation store's: one read per sale per environment) */
    public UnitsReturn(RedisConnection redis, BucketCounts buckets) {
        this.redis = redis;
        this.buckets = buckets;
    }

    /**
     * @param orders cancelled orders of sale {@code saleId}, all with the same reason
     * @return what Redis did, in each buyer's home bucket (one script call per bucket); {@code remaining} is the last
     *         bucket's counter
     */
    public Returned follow(String saleId, List<CancelledOrder> orders) {
        Map<SaleKeys, List<CancelledOrder>> byBucket = new LinkedHashMap<>();
        for (CancelledOrder o : orders) {
            byBucket.computeIfAbsent(buckets.home(saleId, o.buyerId()), b -> new ArrayList<>())
                    .add(o);
        }
        long units = 0;
        long remaining = 0;
        Map<String, String> answers = new LinkedHashMap<>();
        for (Map.Entry<SaleKeys, List<CancelledOrder>> e : byBucket.entrySet()) {
            Returned r = follow(e.getKey(), e.getValue());
            units += r.units();
            remaining = r.remaining();
            answers.putAll(r.answers());
        }
        return new Returned(units, remaining, answers);
    }

    private Returned follow(SaleKeys k, List<CancelledOrder> orders) {
        String saleId = k.saleId();
        CancelReason reason = orders.get(0).reason();
        List<String> args = new ArrayList<>(orders.size() + 1);
        args.add(reason.name());
        for (CancelledOrder o : orders) {
            if (!o.saleId().equals(saleId) || o.reason() != reason) {
                throw new IllegalArgumentException(
                        "order " + o.reservationId() + " is not of sale " + saleId + " cancelled for " + reason);
            }
            args.add(o.reservationId());
        }
        List<?> reply = (List<?>) redis.eval(
                LuaScript.RETURN_UNITS,
                List.of(k.reservations(), k.stock(), k.units(), k.meta(), k.holds(), k.claims()),
                args);
        Map<String, String> answers = new LinkedHashMap<>();
        for (int i = 0; i < orders.size(); i++) {
            answers.put(orders.get(i).reservationId(), ScriptReply.text(reply.get(2 + i)));
        }
        return new Returned(ScriptReply.number(reply.get(0)), ScriptReply.number(reply.get(1)), answers);
    }

    /**
     * @param units     units put back on sale now
     * @param remaining the stock counter afterwards
     * @param answers   by reservation id: RETURNED, DONE (before), MISSING (no record), or the record's status
     */
    public record Returned(long units, long remaining, Map<String, String> answers) {

        /** The reservations Redis has nothing left to follow for: their return can be recorded as done. */
        public List<String> followed() {
            return answers.entrySet().stream()
                    .filter(e -> FOLLOWED.contains(e.getValue()))
                    .map(Map.Entry::getKey)
                    .toList();
        }
    }
}

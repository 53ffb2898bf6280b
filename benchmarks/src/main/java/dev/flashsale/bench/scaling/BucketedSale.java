package dev.flashsale.bench.scaling;

import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.TransferEntry;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * One open sale split into {@code buckets} stock buckets ({@link Buckets}; bucket b's hash tag is {@code {id}} for
 * b = 0, {@code {id#b}} otherwise), its id chosen so that the buckets' slots are dealt as evenly as the counts allow
 * over the masters (with buckets = masters × k, exactly k each) and no two buckets share a slot. Its targets are its
 * buckets; a reservation goes through {@link ReservationStore#reserve} to the buyer's home bucket
 * ({@code crc32(buyer) mod buckets}), borrowing from the others when that bucket runs short.
 */
final class BucketedSale implements LoadTargets {

    private final String id;
    private final int buckets;
    private final int stock;
    private final List<Integer> slots = new ArrayList<>();
    private final int[] perMaster;

    /**
     * @param ownerOf the master that owns a slot (index)
     * @param stock   units for sale, split over the buckets by {@link Buckets#share}
     */
    BucketedSale(String prefix, int buckets, int masters, IntUnaryOperator ownerOf, int stock) {
        if (buckets < 1 || buckets > Buckets.MAX) {
            throw new IllegalArgumentException("buckets must be 1.." + Buckets.MAX + ", was " + buckets);
        }
        this.buckets = buckets;
        this.stock = stock;
        this.perMaster = new int[masters];
        int most = (buckets + masters - 1) / masters;
        for (int candidate = 0; ; candidate++) {
            if (candidate == 100_000) {
                throw new IllegalStateException("no sale id spreads " + buckets + " buckets over " + masters);
            }
            String id = prefix + "-" + candidate;
            int[] count = new int[masters];
            List<Integer> found = new ArrayList<>();
            boolean even = true;
            for (SaleKeys k : Buckets.all(id, buckets)) {
                int slot = JedisClusterCRC16.getSlot(k.meta());
                int owner = ownerOf.applyAsInt(slot);
                if (found.contains(slot) || ++count[owner] > most) {
                    even = false;
                    break;
                }
                found.add(slot);
            }
            if (even) {
                this.id = id;
                slots.addAll(found);
                System.arraycopy(count, 0, perMaster, 0, masters);
                return;
            }
        }
    }

    String id() {
        return id;
    }

    int buckets() {
        return buckets;
    }

    int stock() {
        return stock;
    }

    /** How many buckets each master holds, by master index. */
    int[] perMaster() {
        return perMaster.clone();
    }

    @Override
    public String describe() {
        return buckets + " buckets";
    }

    @Override
    public int size() {
        return buckets;
    }

    @Override
    public List<Integer> slots() {
        return List.copyOf(slots);
    }

    @Override
    public void load(RedisConnection redis) {
        Instant now = Instant.now();
        new SaleCache(redis, Duration.ZERO)
                .load(new Sale(
                        id,
                        stock,
                        10,
                        10,
                        now.minus(Duration.ofMinutes(1)),
                        now.plus(Duration.ofHours(1)),
                        Admission.OPEN,
                        buckets));
        for (SaleKeys k : Buckets.all(id, buckets)) {
            redis.call(c -> {
                LuaScript.loadAll(c, k.meta()); // each bucket's shard, so no first call pays a NOSCRIPT
                return null;
            });
        }
    }

    @Override
    public ReserveOutcome reserve(ReservationStore store, int target, String buyerId, String idempotencyKey) {
        return store.reserve(new ReserveRequest(id, buyerId, idempotencyKey, 1));
    }

    @Override
    public int served(int target, String buyerId) {
        return Buckets.home(buyerId, buckets);
    }

    @Override
    public long transfers(RedisConnection redis) {
        return ledger(redis).transfers();
    }

    /** Reads every bucket's books (one bucket after another: call it when no reservation is under way). */
    Ledger ledger(RedisConnection redis) {
        long[] available = new long[buckets];
        long[] allot = new long[buckets];
        long[] reservations = new long[buckets];
        long transfers = 0;
        long lentUnits = 0;
        long accepted = 0;
        long receivedUnits = 0;
        for (SaleKeys k : Buckets.all(id, buckets)) {
            int b = k.bucket();
            String s = redis.call(c -> c.get(k.stock()));
            available[b] = s == null ? 0 : Long.parseLong(s);
            String a = redis.call(c -> c.hget(k.meta(), "allot"));
            allot[b] = a == null ? 0 : Long.parseLong(a);
            reservations[b] = redis.call(c -> c.hlen(k.reservations()));
            Map<String, String> lent = redis.call(c -> c.hgetAll(k.lent()));
            transfers += lent.size();
            for (String v : lent.values()) {
                lentUnits += TransferEntry.lent(v).orElseThrow().units();
            }
            Map<String, String> received = redis.call(c -> c.hgetAll(k.received()));
            accepted += received.size();
            for (String v : received.values()) {
                receivedUnits += TransferEntry.received(v).orElseThrow().units();
            }
        }
        return new Ledger(available, allot, reservations, transfers, lentUnits, accepted, receivedUnits);
    }

    /**
     * A bucketed sale's books, per bucket and summed.
     *
     * @param available     each bucket's stock counter
     * @param allot         each bucket's {@code meta.allot} (share + received − lent)
     * @param reservations  each bucket's reservation records (HLEN res)
     * @param transfers     entries in the {@code lent} journals
     * @param accepted      entries in the {@code received} journals
     */
    record Ledger(
            long[] available,
            long[] allot,
            long[] reservations,
            long transfers,
            long lentUnits,
            long accepted,
            long receivedUnits) {

        long totalAvailable() {
            return Arrays.stream(available).map(v -> Math.max(0, v)).sum();
        }

        long totalAllot() {
            return Arrays.stream(allot).sum();
        }

        long totalReservations() {
            return Arrays.stream(reservations).sum();
        }
    }
}

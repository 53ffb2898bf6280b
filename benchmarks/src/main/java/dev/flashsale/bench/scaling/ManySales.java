package dev.flashsale.bench.scaling;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * {@code count} independent sales, each with huge stock, their ids chosen so that their slots ({@code fs:{id}:...})
 * are dealt round-robin over the masters: sale {@code i} on master {@code i % masters}. What cluster mode spreads
 * today; one sale stays on one shard.
 */
final class ManySales implements LoadTargets {

    static final int STOCK = 1_000_000_000;

    private final List<String> ids = new ArrayList<>();
    private final List<Integer> slots = new ArrayList<>();
    private final Duration retention;

    /**
     * @param ownerOf the master that owns a slot (index)
     */
    ManySales(String prefix, int count, int masters, IntUnaryOperator ownerOf, Duration retention) {
        this.retention = retention;
        int candidate = 0;
        for (int i = 0; i < count; i++) {
            int wanted = i % masters;
            while (true) {
                String id = prefix + "-" + candidate++;
                int slot = JedisClusterCRC16.getSlot("{" + id + "}");
                if (ownerOf.applyAsInt(slot) == wanted && !slots.contains(slot)) {
                    ids.add(id);
                    slots.add(slot);
                    break;
                }
            }
        }
    }

    @Override
    public String describe() {
        return ids.size() == 1 ? "1 sale" : ids.size() + " sales";
    }

    @Override
    public int size() {
        return ids.size();
    }

    @Override
    public List<Integer> slots() {
        return List.copyOf(slots);
    }

    @Override
    public void load(RedisConnection redis) {
        Instant now = Instant.now();
        SaleCache cache = new SaleCache(redis, retention);
        for (String id : ids) {
            cache.load(new Sale(id, STOCK, 10, 10, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1))));
            redis.loadScripts(id);
        }
    }

    @Override
    public ReserveOutcome reserve(ReservationStore store, int target, String buyerId, String idempotencyKey) {
        return store.reserve(new ReserveRequest(ids.get(target), buyerId, idempotencyKey, 1));
    }
}

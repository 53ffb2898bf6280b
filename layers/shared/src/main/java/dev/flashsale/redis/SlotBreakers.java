package dev.flashsale.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The {@code redis} breaker a call on a key goes through. On one Redis node, the one breaker. In a cluster, one per
 * hash slot, made like the base one (same name, settings and idea of an outage) on the slot's first call: a shard that
 * cannot serve (dead before its failover, out of memory, busy) opens the breakers of its own slots, and the sales, or a
 * split sale's buckets, on the other shards keep selling. Calls without a key go through the base breaker.
 */
final class SlotBreakers {

    /** Slots with a breaker of their own before closed ones are dropped (a closed breaker holds only recent results). */
    static final int MAX_SLOTS = 512;

    private final CircuitBreaker base;
    private final boolean perSlot;
    private final Consumer<CircuitBreaker> watch;
    private final Map<Integer, CircuitBreaker> bySlot = new ConcurrentHashMap<>();

    /**
     * @param perSlot whether the keys live on several nodes (cluster mode)
     * @param watch   given each breaker made for a slot (its state transitions are counted like the base one's)
     */
    SlotBreakers(CircuitBreaker base, boolean perSlot, Consumer<CircuitBreaker> watch) {
        this.base = base;
        this.perSlot = perSlot;
        this.watch = watch;
    }

    /** Slots with a breaker of their own now. */
    int slotsTracked() {
        return bySlot.size();
    }

    CircuitBreaker forKey(String key) {
        if (!perSlot) {
            return base;
        }
        int slot = JedisClusterCRC16.getSlot(key);
        CircuitBreaker breaker = bySlot.get(slot);
        if (breaker != null) {
            return breaker;
        }
        if (bySlot.size() >= MAX_SLOTS) {
            bySlot.values().removeIf(b -> b.getState() == CircuitBreaker.State.CLOSED);
        }
        return bySlot.computeIfAbsent(slot, s -> {
            CircuitBreaker made = CircuitBreaker.of(base.getName(), base.getCircuitBreakerConfig());
            watch.accept(made);
            return made;
        });
    }
}

package dev.flashsale.redis;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * How a promise made from Redis waits for a replica: after the reserve script takes a new hold, {@code WAIT replicas
 * timeout} on the same connection, in the same round trip, before the buyer is answered {@code 201}. A hold a replica
 * has is not lost when the replica is promoted in a failover.
 *
 * @param replicas  {@code REDIS_WAIT_REPLICAS}, 0..5, default 0 (no wait: a Redis without replicas, the local default)
 * @param timeout   {@code REDIS_WAIT_TIMEOUT}, 1ms..10s, default 50ms; must stay below the Redis socket timeout
 * @param onTimeout {@code REDIS_WAIT_ON_TIMEOUT}, {@code answer} (default) or {@code refuse}: what a new hold no replica
 *                  acknowledged in time becomes
 */
public record ReplicaAck(int replicas, Duration timeout, OnTimeout onTimeout) {

    public static final Set<String> VARIABLES =
            Variables.of("REDIS_WAIT_REPLICAS", "REDIS_WAIT_TIMEOUT", "REDIS_WAIT_ON_TIMEOUT");

    /** Never wait. */
    public static final ReplicaAck NONE = new ReplicaAck(0, Duration.ofMillis(50), OnTimeout.ANSWER);

    public enum OnTimeout {
        /**
         * Answer {@code 201} anyway and count it ({@code flashsale.redis.replica_acks{outcome=timed_out}}): a failover in
         * the next moments may lose the hold from Redis, and the confirmer then decides it from its message through the
         * database (an order if stock and the buyer's limit allow, else a recorded refusal the buyer can read).
         */
        ANSWER,
        /** Cancel the hold and answer {@code 503} with Retry-After: no {@code 201} is ever at risk; availability pays. */
        REFUSE
    }

    public boolean enabled() {
        return replicas > 0;
    }

    public static ReplicaAck from(Config config) {
        int replicas = config.integer("REDIS_WAIT_REPLICAS", 0, 0, 5);
        Duration timeout =
                config.duration("REDIS_WAIT_TIMEOUT", NONE.timeout(), Duration.ofMillis(1), Duration.ofSeconds(10));
        String mode = config.string("REDIS_WAIT_ON_TIMEOUT", "answer").toLowerCase(Locale.ROOT);
        OnTimeout onTimeout = switch (mode) {
            case "answer" -> OnTimeout.ANSWER;
            case "refuse" -> OnTimeout.REFUSE;
            default ->
                throw new ConfigException("REDIS_WAIT_ON_TIMEOUT must be 'answer' or 'refuse', was '" + mode + "'");
        };
        return new ReplicaAck(replicas, timeout, onTimeout);
    }
}

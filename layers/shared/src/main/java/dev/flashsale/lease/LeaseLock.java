package dev.flashsale.lease;

import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Resource;
import redis.clients.jedis.params.SetParams;

/**
 * A Redis lease: at most one holder at a time for a named job, with a random token per acquisition, an expiry so a
 * dead holder cannot block forever, renewal and release that only the current holder can perform.
 *
 * <p>Single-instance semantics (one Redis primary). A failover that loses the lease key can let a second holder in;
 * jobs guarded by it must therefore stay safe when run twice (prewarm and release are).
 *
 * <p>A CRaC resource: its random source is replaced after a SnapStart restore, so that environments restored from one
 * snapshot never draw the same token. A function that builds one at init registers it with its {@code Hooks}.
 */
public final class LeaseLock implements Resource {

    private final RedisConnection redis;
    private final Supplier<SecureRandom> randoms;
    private volatile SecureRandom random;

    public LeaseLock(RedisConnection redis) {
        this(redis, SecureRandom::new);
    }

    /** @param randoms makes the random source, now and after each restore */
    public LeaseLock(RedisConnection redis, Supplier<SecureRandom> randoms) {
        this.redis = redis;
        this.randoms = randoms;
        this.random = randoms.get();
    }

    public static String key(String name) {
        return "fs:lease:" + name;
    }

    /** Takes the lease if nobody holds it. */
    public Optional<Lease> tryAcquire(String name, Duration ttl) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        String ok = redis.call(
                key(name),
                c -> c.set(key(name), token, SetParams.setParams().nx().px(ttl.toMillis())));
        return "OK".equals(ok) ? Optional.of(new Lease(name, token, ttl)) : Optional.empty();
    }

    /** Extends the lease; false when it was lost (expired, possibly taken by another holder). */
    public boolean renew(Lease lease) {
        Object r = redis.call(
                key(lease.name()),
                c -> LuaScript.LEASE_RENEW.run(
                        c,
                        List.of(key(lease.name())),
                        List.of(lease.token(), Long.toString(lease.ttl().toMillis()))));
        return ((Number) r).longValue() == 1;
    }

    /** Gives the lease up; false when it was no longer ours (nothing is deleted then). */
    public boolean release(Lease lease) {
        Object r = redis.call(
                key(lease.name()),
                c -> LuaScript.LEASE_RELEASE.run(c, List.of(key(lease.name())), List.of(lease.token())));
        return ((Number) r).longValue() == 1;
    }

    public record Lease(String name, String token, Duration ttl) {}

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {}

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        random = randoms.get();
    }
}

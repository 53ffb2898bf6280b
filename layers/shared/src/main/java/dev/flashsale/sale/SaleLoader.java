package dev.flashsale.sale;

import dev.flashsale.redis.BucketCounts;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.params.SetParams;

/**
 * Loads a sale that Redis does not know from the database, on the reservation path (prewarm had not loaded it yet, or
 * its keys were lost). One loader at a time per sale, across environments: a short Redis lock under the sale's hash
 * tag; the others poll briefly for the sale to appear. A sale the database does not know either is remembered in this
 * environment for a short time ({@link ExpiringIds}), so bogus ids reach the database at most once per TTL.
 */
public final class SaleLoader {

    private static final Logger LOG = LoggerFactory.getLogger(SaleLoader.class);
    /** Bounds a loader that died holding the lock; a load takes milliseconds. */
    static final Duration LOCK_TTL = Duration.ofSeconds(5);

    static final Duration POLL = Duration.ofMillis(20);

    private final RedisConnection redis;
    private final SaleSync sync;
    private final Clock clock;
    private final ExpiringIds missing;
    private final Duration wait;
    private final SecureRandom random = new SecureRandom();
    private final LongAdder lookups = new LongAdder();

    public SaleLoader(RedisConnection redis, SaleSync sync, Clock clock, SaleLoading settings) {
        this.redis = redis;
        this.sync = sync;
        this.clock = clock;
        this.missing = new ExpiringIds(clock, settings.negativeCacheTtl());
        this.wait = settings.loadWait();
    }

    /** Database look-ups this loader made (tests and metrics). */
    public long lookups() {
        return lookups.sum();
    }

    /**
     * Makes sure the sale is in Redis.
     *
     * @return true when it is (loaded here or by another loader), false when the database does not know it (or it
     *         ended so long ago that its keys would expire at once)
     * @throws DependencyUnavailableException when another loader did not finish within the wait, or a store is down
     */
    public boolean load(String saleId) {
        if (missing.contains(saleId)) {
            return false;
        }
        SaleKeys k = new SaleKeys(saleId);
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Instant giveUp = clock.instant().plus(wait);
        while (true) {
            String ok = redis.call(
                    k.loader(),
                    c -> c.set(k.loader(), token, SetParams.setParams().nx().px(LOCK_TTL.toMillis())));
            if ("OK".equals(ok)) {
                try {
                    return loadLocked(saleId, k);
                } finally {
                    redis.call(k.loader(), c -> LuaScript.LEASE_RELEASE.run(c, List.of(k.loader()), List.of(token)));
                }
            }
            sleep();
            if (loaded(k)) {
                return true;
            }
            if (missing.contains(saleId)) {
                return false;
            }
            if (clock.instant().isAfter(giveUp)) {
                throw new DependencyUnavailableException(
                        "redis",
                        Duration.ofSeconds(1),
                        "sale " + saleId + " is being loaded by another request; retry",
                        null);
            }
        }
    }

    private boolean loadLocked(String saleId, SaleKeys k) {
        // Double check under the lock: the previous holder may have loaded it, or found it missing, meanwhile.
        if (missing.contains(saleId)) {
            return false;
        }
        if (loaded(k)) {
            return true;
        }
        lookups.increment();
        Optional<SyncResult> result = sync.loadIfAbsent(saleId);
        if (result.isEmpty()) {
            missing.add(saleId);
            return false;
        }
        Instant gone = result.get().sale().sale().endsAt().plus(sync.retention());
        if (!clock.instant().isBefore(gone)) {
            missing.add(saleId);
            return false;
        }
        LOG.info(
                "sale {} loaded from the database on first request: {}",
                saleId,
                result.get().action());
        return true;
    }

    /** Whether every bucket of the sale has its definition (a sale in one bucket: bucket 0's meta). */
    private boolean loaded(SaleKeys k) {
        List<String> meta = redis.call(k.meta(), c -> c.hmget(k.meta(), "start", "buckets"));
        if (meta.get(0) == null) {
            return false;
        }
        int count = BucketCounts.fromMeta(meta.get(1));
        for (int b = 1; b < count; b++) {
            SaleKeys other = new SaleKeys(k.saleId(), b);
            if (!redis.call(other.meta(), c -> c.exists(other.meta()))) {
                return false;
            }
        }
        return true;
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException(
                    "redis", Duration.ofSeconds(1), "interrupted while waiting for a sale to load", e);
        }
    }
}

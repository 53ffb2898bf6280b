package dev.flashsale.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.init.Hooks;
import dev.flashsale.lease.LeaseLock.Lease;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Two environments restored from one snapshot must not draw the same lease token. */
class LeaseLockRestoreTest {

    @Test
    void leaseLocks_clonedFromOneSnapshot_drawDifferentTokens_afterRestore() {
        try (RedisConnection redis = TestRedis.connect()) {
            LeaseLock a = new LeaseLock(redis, snapshotThenFresh());
            LeaseLock b = new LeaseLock(redis, snapshotThenFresh());
            Hooks hooks = new Hooks().register(a, b);
            String job = TestSales.newId();
            Lease beforeA = a.tryAcquire(job + "-a1", Duration.ofSeconds(5)).orElseThrow();
            Lease beforeB = b.tryAcquire(job + "-b1", Duration.ofSeconds(5)).orElseThrow();
            assertThat(beforeA.token())
                    .as("the clone: same state before restore")
                    .isEqualTo(beforeB.token());

            hooks.beforeCheckpoint();
            hooks.afterRestore();

            Lease afterA = a.tryAcquire(job + "-a2", Duration.ofSeconds(5)).orElseThrow();
            Lease afterB = b.tryAcquire(job + "-b2", Duration.ofSeconds(5)).orElseThrow();
            assertThat(afterA.token()).isNotEqualTo(afterB.token());
            for (Lease l : new Lease[] {beforeA, beforeB, afterA, afterB}) {
                a.release(l);
            }
        }
    }

    private static Supplier<SecureRandom> snapshotThenFresh() {
        AtomicBoolean first = new AtomicBoolean(true);
        return () -> {
            if (first.getAndSet(false)) {
                try {
                    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
                    r.setSeed(7L);
                    return r;
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new SecureRandom();
        };
    }
}

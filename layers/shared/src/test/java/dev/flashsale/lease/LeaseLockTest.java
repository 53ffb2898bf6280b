package dev.flashsale.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lease lock against the real Redis: one holder, owner-only renew and release, expiry. */
class LeaseLockTest {

    private static RedisConnection redis;
    private static LeaseLock lock;

    @BeforeAll
    static void start() {
        redis = TestRedis.connect();
        lock = new LeaseLock(redis);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void tryAcquire_from16ThreadsAtOnce_admitsExactlyOne() throws Exception {
        String name = TestSales.newId();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<LeaseLock.Lease>>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return lock.tryAcquire(name, Duration.ofSeconds(10));
            }));
        }
        go.countDown();
        int holders = 0;
        for (Future<Optional<LeaseLock.Lease>> f : results) {
            holders += f.get().isPresent() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(holders).isEqualTo(1);
    }

    @Test
    void expiredLease_takenByAnother_isNeitherRenewedNorReleasedByItsFormerOwner() throws Exception {
        String name = TestSales.newId();
        // Step 1: A takes a short lease and lets it expire
        LeaseLock.Lease a = lock.tryAcquire(name, Duration.ofMillis(150)).orElseThrow();
        Thread.sleep(250);
        // Step 2: B takes it
        LeaseLock.Lease b = lock.tryAcquire(name, Duration.ofSeconds(10)).orElseThrow();
        // Step 3: A's renew and release fail and leave B's lease in place
        assertThat(lock.renew(a)).isFalse();
        assertThat(lock.release(a)).isFalse();
        assertThat(redis.client().get(LeaseLock.key(name))).isEqualTo(b.token());
        assertThat(lock.tryAcquire(name, Duration.ofSeconds(10))).isEmpty();
        // Step 4: B releases; the lease is free
        assertThat(lock.release(b)).isTrue();
        assertThat(lock.tryAcquire(name, Duration.ofSeconds(10))).isPresent();
    }

    @Test
    void keeper_renewsWhileWorkRunsPastTheTtl_andReleasesAtTheEnd() throws Exception {
        String name = TestSales.newId();
        LeaseLock.Lease lease = lock.tryAcquire(name, Duration.ofMillis(300)).orElseThrow();
        try (LeaseKeeper keeper = new LeaseKeeper(lock, lease)) {
            Thread.sleep(900); // three TTLs of work
            assertThat(keeper.lost()).isFalse();
            assertThat(lock.tryAcquire(name, Duration.ofSeconds(1))).isEmpty();
        }
        assertThat(redis.client().exists(LeaseLock.key(name))).isFalse();
    }

    @Test
    void keeper_reportsALeaseLostToAnotherHolder() throws Exception {
        String name = TestSales.newId();
        LeaseLock.Lease lease = lock.tryAcquire(name, Duration.ofMillis(300)).orElseThrow();
        try (LeaseKeeper keeper = new LeaseKeeper(lock, lease)) {
            redis.call(c -> c.set(LeaseLock.key(name), "someone-else"));
            // the keeper renews every 100 ms; on a loaded machine its thread may run late, so wait for it (bounded)
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!keeper.lost() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(keeper.lost()).isTrue();
        }
        assertThat(redis.client().get(LeaseLock.key(name))).isEqualTo("someone-else");
    }
}

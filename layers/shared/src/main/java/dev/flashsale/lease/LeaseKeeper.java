package dev.flashsale.lease;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews a lease every third of its TTL while work runs, and releases it at the end. If a renewal finds the lease
 * lost, {@link #lost()} turns true so the work can stop at its next safe point.
 */
public final class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final LeaseLock lock;
    private final LeaseLock.Lease lease;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final ScheduledExecutorService timer;

    public LeaseKeeper(LeaseLock lock, LeaseLock.Lease lease) {
        this.lock = lock;
        this.lease = lease;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-renewal-" + lease.name());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, lease.ttl().toMillis() / 3);
        timer.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try {
            if (!lock.renew(lease)) {
                lost.set(true);
                LOG.warn("lease {} was lost before the work finished", lease.name());
                timer.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.warn("lease {} renewal failed: {}", lease.name(), e.toString());
        }
    }

    public boolean lost() {
        return lost.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (!lost.get()) {
            try {
                lock.release(lease);
            } catch (RuntimeException e) {
                LOG.warn("lease {} release failed; it expires by itself: {}", lease.name(), e.toString());
            }
        }
    }
}

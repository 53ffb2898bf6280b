package dev.flashsale.release;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReleaseOutcome;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.SettleOutcome;
import dev.flashsale.resilience.DependencyUnavailableException;

/**
 * The release job, per sale:
 * <ol>
 *   <li>expired HELD holds go back to stock, each atomically in Redis (release-hold.lua, only if still HELD and
 *       expired by the server clock);</li>
 *   <li>CLAIMED reservations past their claim deadline (the confirmer died) are decided by the database fence: a release
 *       row is inserted unless an order exists, whichever was first wins, and Redis follows the winner.</li>
 * </ol>
 * Two overlapping runs are safe: every step is atomic and conditional on the current state, and the fence decides
 * once. Work per run is bounded by {@link ReleaseSettings}.
 */
public final class ReleaseHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseHandler.class);
    private static final int PAGE = 200;

    /** Step boundaries, for fault injection in tests. */
    public enum Step {
        /** The fence decided a stale claim in the database; Redis does not know yet. */
        FENCED
    }

    private final SaleRepository sales;
    private final ReservationStore store;
    private final HoldClaims claims;
    private final OrderFence fence;
    private final ReleaseSettings settings;
    private final Clock clock;
    private final Consumer<Step> afterStep;

    public ReleaseHandler(SaleRepository sales, ReservationStore store, HoldClaims claims, OrderFence fence,
                          ReleaseSettings settings, Clock clock) {
        this(sales, store, claims, fence, settings, clock, step -> { });
    }

    /** @param afterStep called at each step boundary; a test makes it throw to simulate a crash there */
    public ReleaseHandler(SaleRepository sales, ReservationStore store, HoldClaims claims, OrderFence fence,
                          ReleaseSettings settings, Clock clock, Consumer<Step> afterStep) {
        this.sales = sales;
        this.store = store;
        this.claims = claims;
        this.fence = fence;
        this.settings = settings;
        this.clock = clock;
        this.afterStep = afterStep;
    }

    /**
     * A scheduled run over the sales that may have holds (from the database). While the database is unreachable
     * nothing is released: confirmation cannot run either, and a hold whose confirmation is only waiting for the
     * database must not expire because of it.
     */
    public ReleaseSummary run(Instant deadline) {
        Instant now = clock.instant();
        List<String> saleIds;
        try {
            saleIds = sales.startedAndEndedSince(now, now.minus(settings.lookback()), settings.maxSales());
        } catch (DependencyUnavailableException e) {
            LOG.warn("release run skipped: the database is unavailable ({}); holds are kept until confirmation can run", e.getMessage());
            return new ReleaseSummary(0, 0, 0, 0, 0, 1, false);
        }
        return run(saleIds, deadline);
    }

    /** A run over the given sales. */
    public ReleaseSummary run(List<String> saleIds, Instant deadline) {
        Tally t = new Tally(settings.maxPerRun());
        Instant stopAt = deadline.minus(settings.timeReserve());
        for (String saleId : saleIds) {
            if (t.budget <= 0 || !clock.instant().isBefore(stopAt)) {
                t.exhausted = true;
                break;
            }
            t.sales++;
            try {
                releaseExpiredHolds(saleId, t, stopAt);
                settleStaleClaims(saleId, t, stopAt);
            } catch (RuntimeException e) {
                t.errors++;
                LOG.error("release run failed on sale {}; the next run retries", saleId, e);
            }
        }
        ReleaseSummary summary = new ReleaseSummary(t.sales, t.holdsReleased, t.claimsConfirmed, t.claimsReleased, t.skipped,
                t.errors, t.exhausted);
        LOG.info("release run: {}", summary);
        return summary;
    }

    private void releaseExpiredHolds(String saleId, Tally t, Instant stopAt) {
        while (t.budget > 0 && clock.instant().isBefore(stopAt)) {
            List<String> ids = claims.expiredHolds(saleId, Math.min(PAGE, t.budget));
            if (ids.isEmpty()) {
                return;
            }
            for (String id : ids) {
                t.budget--;
                ReleaseOutcome outcome = store.release(saleId, id, ReservationStatus.EXPIRED, true, false);
                if (outcome instanceof ReleaseOutcome.Released) {
                    t.holdsReleased++;
                } else {
                    t.skipped++;
                }
            }
            if (ids.size() < PAGE) {
                return;
            }
        }
        t.exhausted = true;
    }

    private void settleStaleClaims(String saleId, Tally t, Instant stopAt) {
        while (t.budget > 0 && clock.instant().isBefore(stopAt)) {
            List<String> ids = claims.staleClaims(saleId, Math.min(PAGE, t.budget));
            if (ids.isEmpty()) {
                return;
            }
            for (String id : ids) {
                t.budget--;
                settleStaleClaim(saleId, id, t);
            }
            if (ids.size() < PAGE) {
                return;
            }
        }
        t.exhausted = true;
    }

    private void settleStaleClaim(String saleId, String id, Tally t) {
        Optional<Reservation> found = store.find(saleId, id);
        if (found.isEmpty()) {
            // A stray id (its reservation is gone, so it can never be claimed again): settling only drops it.
            claims.follow(saleId, id, new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
            t.skipped++;
            return;
        }
        // Even if it is no longer CLAIMED by now, the fence is the only safe judge: it never overrules an order, and
        // settling changes nothing unless the reservation is still CLAIMED.
        OrderDecision decision = fence.release(found.get(), ReleaseReason.CLAIM_EXPIRED);
        afterStep.accept(Step.FENCED);
        SettleOutcome settled = claims.follow(saleId, id, decision);
        if (settled == SettleOutcome.SETTLED) {
            if (decision instanceof OrderDecision.Ordered) {
                t.claimsConfirmed++;
            } else {
                t.claimsReleased++;
            }
        } else {
            t.skipped++;
        }
    }

    private static final class Tally {
        int budget;
        int sales;
        int holdsReleased;
        int claimsConfirmed;
        int claimsReleased;
        int skipped;
        int errors;
        boolean exhausted;

        Tally(int budget) {
            this.budget = budget;
        }
    }
}

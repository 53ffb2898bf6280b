package dev.flashsale.release;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.SettleOutcome;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release job, per sale, both through the database fence:
 * <ol>
 *   <li>HELD holds past their deadline (server clock): the database records a {@code HOLD_EXPIRED} release for each,
 *       in one transaction per page, unless it has an order for it (Redis may have lost the claim in a failover), and
 *       Redis follows each decision (the units go back to stock, or the reservation becomes CONFIRMED). An expired hold
 *       can no longer be claimed, so no order can be written for it afterwards.</li>
 *   <li>CLAIMED reservations past their claim deadline (the confirmer died, or a failed confirmation was not redriven
 *       within {@code REDRIVE_WINDOW}) are decided the same way ({@code CLAIM_EXPIRED}), one at a time.</li>
 * </ol>
 * Ids in those sets whose reservation is gone from Redis, or is no longer in that state, are dropped from them.
 *
 * <p>Sales take turns: in each round every sale still in line gets an equal share of the remaining budget (at most a
 * page of holds and one of claims; a sale split into buckets divides its share between its buckets, each a turn of
 * its own), and a sale with more due goes to the back of the line, so neither one sale's
 * backlog nor ids that need nothing starve another sale. Two overlapping runs are safe: every step is
 * atomic and conditional on the current state, and the fence decides once. Work per run is bounded by
 * {@link ReleaseSettings}.
 */
public final class ReleaseHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseHandler.class);
    static final int PAGE = 200;

    /** Step boundaries, for fault injection in tests. */
    public enum Step {
        /** The fence decided a stale claim, or a page of expired holds, in the database; Redis does not know yet. */
        FENCED
    }

    private final SaleRepository sales;
    private final ReservationStore store;
    private final HoldClaims claims;
    private final OrderFence fence;
    private final ReleaseSettings settings;
    private final Clock clock;
    private final Consumer<Step> afterStep;

    /** @param afterStep called at each step boundary; a test makes it throw to simulate a crash there */
    public ReleaseHandler(
            SaleRepository sales,
            ReservationStore store,
            HoldClaims claims,
            OrderFence fence,
            ReleaseSettings settings,
            Clock clock,
            Consumer<Step> afterStep) {
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
            LOG.warn(
                    "release run skipped: the database is unavailable ({}); holds are kept until confirmation can run",
                    e.getMessage());
            Tally t = new Tally(0);
            t.errors = 1;
            return t.summary();
        }
        return run(saleIds, deadline);
    }

    /** A run over the given sales. */
    public ReleaseSummary run(List<String> saleIds, Instant deadline) {
        Tally t = new Tally(settings.maxPerRun());
        Instant stopAt = deadline.minus(settings.timeReserve());
        // A turn is one bucket of a sale (a sale in one bucket: the sale). Shares are per sale: a split sale's buckets
        // divide its share between them, so splitting a sale does not take a larger part of the run's budget.
        Deque<SaleKeys> turns = new ArrayDeque<>();
        Map<String, Integer> bucketsInLine = new HashMap<>();
        for (String saleId : saleIds) {
            try {
                List<SaleKeys> buckets = Buckets.all(saleId, store.buckets().orOne(saleId));
                turns.addAll(buckets);
                bucketsInLine.put(saleId, buckets.size());
            } catch (RuntimeException e) {
                t.errors++;
                LOG.error("release run could not read the buckets of sale {}; the next run retries", saleId, e);
            }
        }
        Set<String> seen = new HashSet<>();
        while (!turns.isEmpty()) {
            if (t.budget <= 0 || !clock.instant().isBefore(stopAt)) {
                t.exhausted = true;
                break;
            }
            SaleKeys saleId = turns.poll();
            if (seen.add(saleId.saleId())) {
                t.sales++;
            }
            // every sale waiting for its turn gets an equal share of what is left of the budget, split between its
            // buckets in line, up to a page
            int share =
                    Math.max(1, Math.min(PAGE, t.budget / bucketsInLine.size() / bucketsInLine.get(saleId.saleId())));
            boolean more = false;
            try {
                more = oneTurn(saleId, share, t);
            } catch (RuntimeException e) {
                t.errors++;
                LOG.error(
                        "release run failed on sale {} (bucket {}); the next run retries",
                        saleId.saleId(),
                        saleId.bucket(),
                        e);
            }
            if (more) {
                turns.add(saleId);
            } else {
                bucketsInLine.computeIfPresent(saleId.saleId(), (sale, n) -> n == 1 ? null : n - 1);
            }
        }
        ReleaseSummary summary = t.summary();
        LOG.info("release run: {}", summary);
        return summary;
    }

    /** Up to {@code share} expired holds and as many stale claims; whether the sale may have more due. */
    private boolean oneTurn(SaleKeys bucket, int share, Tally t) {
        int asked = Math.min(share, t.budget);
        List<String> holds = claims.expiredHolds(bucket, asked);
        t.budget -= holds.size();
        releaseExpiredHolds(bucket, holds, t);
        boolean more = holds.size() == asked;
        if (t.budget <= 0) {
            return more;
        }
        asked = Math.min(share, t.budget);
        List<String> stale = claims.staleClaims(bucket, asked);
        t.budget -= stale.size();
        for (String id : stale) {
            settleStaleClaim(bucket, id, t);
        }
        return more || stale.size() == asked;
    }

    private void releaseExpiredHolds(SaleKeys bucket, List<String> ids, Tally t) {
        if (ids.isEmpty()) {
            return;
        }
        String saleId = bucket.saleId();
        Map<String, Reservation> found = store.findAll(bucket, ids);
        List<Reservation> held = new ArrayList<>();
        for (String id : ids) {
            Reservation r = found.get(id);
            if (r != null && r.status() == ReservationStatus.HELD) {
                held.add(r);
            } else {
                // Gone (ids are never reused) or no longer HELD: not a hold to release; left listed, it would come
                // first
                // on every run.
                claims.dropHold(bucket, id);
                t.skipped++;
            }
        }
        if (held.isEmpty()) {
            return;
        }
        Map<String, OrderDecision> decisions = fence.releaseAll(saleId, held, ReleaseReason.HOLD_EXPIRED);
        afterStep.accept(Step.FENCED);
        for (Reservation r : held) {
            OrderDecision decision = decisions.get(r.id());
            SettleOutcome settled = claims.follow(bucket, r.id(), decision);
            if (settled != SettleOutcome.SETTLED) {
                t.skipped++;
            } else if (decision instanceof OrderDecision.Ordered) {
                LOG.warn(
                        "reservation {} of sale {} was HELD in Redis but ordered in the database (Redis lost its claim): now CONFIRMED",
                        r.id(),
                        saleId);
                t.holdsConfirmed++;
            } else {
                t.holdsReleased++;
            }
        }
    }

    private void settleStaleClaim(SaleKeys bucket, String id, Tally t) {
        Optional<Reservation> found = store.find(bucket, id);
        if (found.isEmpty()) {
            // A stray id (its reservation is gone, so it can never be claimed again): settling only drops it.
            claims.follow(bucket, id, new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
            t.skipped++;
            return;
        }
        // Even if it is no longer CLAIMED by now, the fence is the only safe judge: it never overrules an order, and
        // settling changes nothing unless the reservation is still HELD or CLAIMED.
        OrderDecision decision = fence.release(found.get(), ReleaseReason.CLAIM_EXPIRED);
        afterStep.accept(Step.FENCED);
        SettleOutcome settled = claims.follow(bucket, id, decision);
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
        int holdsConfirmed;
        int claimsConfirmed;
        int claimsReleased;
        int skipped;
        int errors;
        boolean exhausted;

        Tally(int budget) {
            this.budget = budget;
        }

        ReleaseSummary summary() {
            return new ReleaseSummary(
                    sales, holdsReleased, holdsConfirmed, claimsConfirmed, claimsReleased, skipped, errors, exhausted);
        }
    }
}

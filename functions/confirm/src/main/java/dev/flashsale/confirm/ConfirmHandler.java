package dev.flashsale.confirm;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.UnknownSaleException;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.SettleOutcome;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a hold into an order, claim before write:
 * <ol>
 *   <li>claim the hold in Redis ({@code HELD → CLAIMED}, only while live; a CLAIMED one is re-claimed by a redelivery);</li>
 *   <li>in one database transaction, insert the order and count its units as sold within stock ({@link OrderFence});</li>
 *   <li>make Redis follow the database's decision ({@code CONFIRMED}, or {@code EXPIRED} if it was released).</li>
 * </ol>
 * A crash between steps leaves the reservation CLAIMED: a redelivery repeats the steps (each is idempotent) or the
 * release job settles it through the same database fence. The order's buyer and quantity come from Redis, not from
 * the message.
 *
 * <p>When Redis has lost the reservation (a failover promoted a replica that lacked it), the message is the copy
 * (version 2 carries everything reserve.lua recorded): while the hold is live it is restored as CLAIMED and confirmed as
 * above; past its deadline the database decides it directly (an order written before the loss wins, else it is released
 * {@code HOLD_EXPIRED}) and Redis gets the outcome back. Either way the buyer's {@code 201} ends in an order or a
 * recorded release they can read.
 *
 * <p>A batch ({@link #confirmAll}) is confirmed a sale at a time, with the same three steps for all its messages of
 * the sale: one claim script call (claim-batch.lua), one database transaction ({@link OrderFence#confirmAll}: one
 * multi-row insert, one increment of {@code sold}, decided as if one by one in message order), one follow script call
 * (settle-batch.lua). A sale with one reservation in the batch takes the single-message scripts (claim.lua,
 * settle.lua). The rare paths stay per message: a reservation Redis lost is restored from its message or decided after
 * its deadline one by one. Each message's result is its own: a duplicate of a reservation earlier in the batch gets what
 * a redelivery would get, a step that fails for a reason other than an outage (a refused statement, a record Redis
 * cannot decode) is retried message by message so that it fails only the message that causes it, and after an outage
 * the messages of the sales not yet tried are deferred.
 */
public final class ConfirmHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmHandler.class);

    /** Step boundaries, for fault injection in tests (in a batch: once per sale, for all its reservations). */
    public enum Step {
        /** The holds are CLAIMED in Redis; nothing is in the database yet. */
        CLAIMED,
        /** The database transaction committed; Redis does not know yet. */
        COMMITTED
    }

    private final HoldClaims claims;
    private final OrderFence fence;
    private final Consumer<Step> afterStep;

    public ConfirmHandler(HoldClaims claims, OrderFence fence) {
        this(claims, fence, step -> {});
    }

    /** @param afterStep called at each step boundary; a test makes it throw to simulate a crash there */
    public ConfirmHandler(HoldClaims claims, OrderFence fence, Consumer<Step> afterStep) {
        this.claims = claims;
        this.fence = fence;
        this.afterStep = afterStep;
    }

    /**
     * Keeps a reservation decidable as an order while its confirmation cannot complete: the hold is claimed (or its
     * claim renewed) for {@code REDRIVE_WINDOW}. A CLAIMED reservation is only ever settled through the database fence,
     * so nothing releases it meanwhile: not while its message is redelivered, and not while it waits in the DLQ for a
     * redrive. Once the window has passed, the release job releases it (CLAIM_EXPIRED) and a later redrive is
     * acknowledged as released.
     *
     * @return whether the reservation is now CLAIMED
     */
    public boolean park(ConfirmationMessage message) {
        ClaimOutcome parked = message.hold()
                .map(h -> claims.parkOrRestore(message.keys(), h))
                .orElseGet(() -> claims.park(message.keys(), message.reservationId()));
        return parked instanceof ClaimOutcome.Claimed || parked instanceof ClaimOutcome.Restored;
    }

    /**
     * Confirms one message: {@link #confirmAll} of a batch of one.
     *
     * @throws RuntimeException what failed it (a {@link DependencyUnavailableException} for an outage)
     */
    public ConfirmOutcome confirm(ConfirmationMessage message) {
        return switch (confirmAll(List.of(message)).get(0)) {
            case MessageResult.Acknowledged a -> a.outcome();
            case MessageResult.Failed f -> throw f.cause();
            case MessageResult.Deferred d -> throw d.outage();
        };
    }

    /**
     * Confirms a batch, a sale at a time in the order its messages first appear: per sale one claim, one database
     * transaction and one follow-up for all its messages. Never throws for a message: every message gets its own result,
     * in the order given.
     */
    public List<MessageResult> confirmAll(List<ConfirmationMessage> messages) {
        MessageResult[] results = new MessageResult[messages.size()];
        // By sale and bucket (a sale split into buckets has its reservations in its buyers' home buckets).
        Map<SaleKeys, List<Integer>> bySale = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            bySale.computeIfAbsent(messages.get(i).keys(), k -> new ArrayList<>())
                    .add(i);
        }
        DependencyUnavailableException outage = null;
        for (Map.Entry<SaleKeys, List<Integer>> sale : bySale.entrySet()) {
            if (outage != null) {
                for (int i : sale.getValue()) {
                    results[i] = new MessageResult.Deferred(outage);
                }
                continue;
            }
            try {
                confirmSale(sale.getKey(), messages, sale.getValue(), results);
            } catch (RuntimeException e) {
                if (e instanceof DependencyUnavailableException d) {
                    outage = d;
                }
                for (int i : sale.getValue()) {
                    if (results[i] == null) {
                        results[i] = new MessageResult.Failed(e);
                    }
                }
            }
        }
        return Arrays.asList(results);
    }

    /**
     * Confirms the messages of one sale ({@code indices} into {@code messages}), writing their results. Throws what
     * fails them all (an outage, an unknown sale, an injected crash); the caller fails the ones without a result.
     */
    private void confirmSale(
            SaleKeys sale, List<ConfirmationMessage> messages, List<Integer> indices, MessageResult[] results) {
        // Each reservation once, at its first message; a later message of the same reservation is its duplicate.
        Map<String, Integer> first = new LinkedHashMap<>();
        Map<Integer, Integer> duplicateOf = new HashMap<>();
        for (int i : indices) {
            Integer earlier = first.putIfAbsent(messages.get(i).reservationId(), i);
            if (earlier != null) {
                duplicateOf.put(i, earlier);
            }
        }
        if (first.size() == 1) {
            int i = first.values().iterator().next();
            results[i] = new MessageResult.Acknowledged(confirmOne(messages.get(i)));
        } else {
            confirmBatch(sale, messages, first, results);
        }
        for (Map.Entry<Integer, Integer> d : duplicateOf.entrySet()) {
            results[d.getKey()] = duplicate(results[d.getValue()]);
        }
    }

    /** What a redelivery of a message would get right after the first one was handled. */
    private static MessageResult duplicate(MessageResult original) {
        if (!(original instanceof MessageResult.Acknowledged a)) {
            return original;
        }
        return new MessageResult.Acknowledged(
                switch (a.outcome()) {
                    case CONFIRMED, ALREADY_CONFIRMED -> ConfirmOutcome.ALREADY_CONFIRMED;
                    case RELEASED,
                            REFUSED_SOLD_OUT,
                            REFUSED_BUYER_LIMIT,
                            REFUSED_DUPLICATE_KEY,
                            ORDER_CANCELLED,
                            NOT_HELD -> ConfirmOutcome.NOT_HELD;
                    case HOLD_EXPIRED -> ConfirmOutcome.HOLD_EXPIRED;
                    case UNKNOWN_RESERVATION -> ConfirmOutcome.UNKNOWN_RESERVATION;
                });
    }

    /** Two or more reservations of one sale: the batch scripts and one transaction. */
    private void confirmBatch(
            SaleKeys sale, List<ConfirmationMessage> messages, Map<String, Integer> first, MessageResult[] results) {
        String saleId = sale.saleId();
        Map<String, ClaimOutcome> claimed;
        try {
            claimed = claims.claimAll(sale, List.copyOf(first.keySet()));
        } catch (DependencyUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "sale {}: claiming {} reservations at once failed ({}); confirming them one by one",
                    saleId,
                    first.size(),
                    e.toString());
            oneByOne(messages, first, results);
            return;
        }
        // 1. Claimed; the rare paths (restore a lost hold, decide one past its deadline) one message at a time.
        List<Reservation> held = new ArrayList<>();
        Map<String, Integer> heldAt = new HashMap<>();
        for (Map.Entry<String, Integer> e : first.entrySet()) {
            ConfirmationMessage message = messages.get(e.getValue());
            try {
                ClaimOutcome claim = claimed.get(e.getKey());
                if (claim instanceof ClaimOutcome.Unknown && message.hold().isPresent()) {
                    claim = claims.claimOrRestore(sale, message.hold().get());
                }
                Optional<Reservation> r = claimedOrDecided(message, claim, e.getValue(), results);
                if (r.isPresent()) {
                    held.add(r.get());
                    heldAt.put(r.get().id(), e.getValue());
                }
            } catch (DependencyUnavailableException x) {
                throw x;
            } catch (RuntimeException x) {
                LOG.error("reservation {} of sale {} failed before its claim", e.getKey(), saleId, x);
                results[e.getValue()] = new MessageResult.Failed(x);
            }
        }
        if (held.isEmpty()) {
            return;
        }
        afterStep.accept(Step.CLAIMED);

        // 2. One transaction for all; if the database refuses it (not an outage), one per reservation, so that what
        //    it refuses fails only its own message.
        Map<String, OrderDecision> decisions;
        try {
            decisions = fence.confirmAll(saleId, held);
        } catch (DependencyUnavailableException | UnknownSaleException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "sale {}: the transaction of {} reservations failed ({}); deciding them one by one",
                    saleId,
                    held.size(),
                    e.toString());
            Map<String, Reservation> byId = new LinkedHashMap<>();
            held.forEach(r -> byId.put(r.id(), r));
            decisions = oneAtATime(
                    saleId, byId.keySet(), id -> fence.confirm(byId.get(id)), "could not be decided", heldAt, results);
        }
        afterStep.accept(Step.COMMITTED);

        // 3. Redis follows, for all in one call (one by one if that call fails other than by an outage).
        Map<String, SettleOutcome> settled;
        try {
            settled = claims.followAll(sale, decisions);
        } catch (DependencyUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "sale {}: following {} decisions at once failed ({}); one by one",
                    saleId,
                    decisions.size(),
                    e.toString());
            Map<String, OrderDecision> decided = decisions;
            settled = oneAtATime(
                    saleId,
                    decided.keySet(),
                    id -> claims.follow(sale, id, decided.get(id)),
                    "could not be followed by Redis",
                    heldAt,
                    results);
        }
        for (Reservation r : held) {
            OrderDecision decision = decisions.get(r.id());
            SettleOutcome s = settled.get(r.id());
            if (decision == null || s == null) {
                continue; // failed above
            }
            reportUnfollowed(r, decision, restoreIfLost(sale, r, decision, s));
            results[heldAt.get(r.id())] = new MessageResult.Acknowledged(outcome(r, decision));
        }
    }

    /**
     * A batch step's fallback: {@code step} for each reservation on its own, so that what throws (other than an outage
     * or an unknown sale, which end the batch) fails only its own message.
     */
    private static <T> Map<String, T> oneAtATime(
            String saleId,
            Collection<String> ids,
            Function<String, T> step,
            String failure,
            Map<String, Integer> at,
            MessageResult[] results) {
        Map<String, T> done = new LinkedHashMap<>();
        for (String id : ids) {
            try {
                done.put(id, step.apply(id));
            } catch (DependencyUnavailableException | UnknownSaleException x) {
                throw x;
            } catch (RuntimeException x) {
                LOG.error("reservation {} of sale {} {}", id, saleId, failure, x);
                results[at.get(id)] = new MessageResult.Failed(x);
            }
        }
        return done;
    }

    /** The fallback of a batch step that failed other than by an outage: each reservation as a batch of one. */
    private void oneByOne(List<ConfirmationMessage> messages, Map<String, Integer> first, MessageResult[] results) {
        for (int i : first.values()) {
            try {
                results[i] = new MessageResult.Acknowledged(confirmOne(messages.get(i)));
            } catch (DependencyUnavailableException | UnknownSaleException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error(
                        "reservation {} of sale {} failed",
                        messages.get(i).reservationId(),
                        messages.get(i).saleId(),
                        e);
                results[i] = new MessageResult.Failed(e);
            }
        }
    }

    /**
     * The claimed (or restored) reservation to decide, or empty when the claim decided the message already (its
     * result is written).
     */
    private Optional<Reservation> claimedOrDecided(
            ConfirmationMessage message, ClaimOutcome claim, int index, MessageResult[] results) {
        Optional<Reservation> held = Optional.empty();
        ConfirmOutcome decided = null;
        switch (claim) {
            case ClaimOutcome.Claimed c -> held = Optional.of(c.reservation());
            case ClaimOutcome.Restored r -> {
                warnRestored(message);
                held = Optional.of(r.reservation());
            }
            case ClaimOutcome.NotClaimable n ->
                decided = n.status() == ReservationStatus.CONFIRMED
                        ? ConfirmOutcome.ALREADY_CONFIRMED
                        : ConfirmOutcome.NOT_HELD;
            case ClaimOutcome.HoldExpired e -> decided = ConfirmOutcome.HOLD_EXPIRED;
            case ClaimOutcome.Unknown u -> decided = unknown(message);
        }
        if (decided != null) {
            results[index] = new MessageResult.Acknowledged(decided);
        }
        held.ifPresent(r -> warnIfDiffers(message, r));
        return held;
    }

    private ConfirmOutcome unknown(ConfirmationMessage message) {
        Optional<Reservation> copy = message.hold();
        if (copy.isPresent()) {
            return decideLostAfterDeadline(message.keys(), copy.get());
        }
        LOG.warn(
                "reservation {} of sale {} is not in Redis and its version 1 message cannot restore it; no order written",
                message.reservationId(),
                message.saleId());
        return ConfirmOutcome.UNKNOWN_RESERVATION;
    }

    private static void warnRestored(ConfirmationMessage message) {
        LOG.warn(
                "reservation {} of sale {} was not in Redis (lost in a failover?); restored from its message as CLAIMED",
                message.reservationId(),
                message.saleId());
    }

    private static void warnIfDiffers(ConfirmationMessage message, Reservation held) {
        if (held.quantity() != message.quantity() || !held.buyerId().equals(message.buyerId())) {
            LOG.warn(
                    "message for reservation {} says buyer {} x{}, Redis says buyer {} x{}; the order follows Redis",
                    held.id(),
                    message.buyerId(),
                    message.quantity(),
                    held.buyerId(),
                    held.quantity());
        }
    }

    /**
     * Redis answered UNKNOWN when following the decision: the reservation was claimed, then vanished (a failover to a
     * replica that never had it, between the claim and now). The claimed copy is written back with the decided status,
     * for replays of its key to answer and for the record to match the database; counters are reconciliation's.
     */
    private SettleOutcome restoreIfLost(
            SaleKeys sale, Reservation held, OrderDecision decision, SettleOutcome settled) {
        if (settled != SettleOutcome.UNKNOWN) {
            return settled;
        }
        LOG.warn(
                "reservation {} of sale {} vanished from Redis after its claim (lost in a failover?); writing the database's "
                        + "decision ({}) back",
                held.id(),
                held.saleId(),
                decision);
        return claims.followOrRestore(sale, held, decision);
    }

    private static void reportUnfollowed(Reservation held, OrderDecision decision, SettleOutcome settled) {
        if (settled == SettleOutcome.CONFLICT || settled == SettleOutcome.UNKNOWN) {
            LOG.error(
                    "reservation {} of sale {}: the database decided {} but Redis could not follow ({}); reconcile the sale",
                    held.id(),
                    held.saleId(),
                    decision,
                    settled);
        }
    }

    /** One reservation: the single-message scripts (claim.lua, settle.lua) and a transaction of one. */
    private ConfirmOutcome confirmOne(ConfirmationMessage message) {
        Optional<Reservation> copy = message.hold();
        SaleKeys sale = message.keys();
        ClaimOutcome claim = copy.map(h -> claims.claimOrRestore(sale, h))
                .orElseGet(() -> claims.claim(sale, message.reservationId()));
        MessageResult[] decided = new MessageResult[1];
        Optional<Reservation> claimed = claimedOrDecided(message, claim, 0, decided);
        if (claimed.isEmpty()) {
            return ((MessageResult.Acknowledged) decided[0]).outcome();
        }
        Reservation held = claimed.get();
        afterStep.accept(Step.CLAIMED);

        OrderDecision decision = fence.confirm(held);
        afterStep.accept(Step.COMMITTED);

        reportUnfollowed(held, decision, restoreIfLost(sale, held, decision, claims.follow(sale, held.id(), decision)));
        return outcome(held, decision);
    }

    /**
     * Redis lost the reservation and its hold's deadline has passed (server clock), so it cannot be claimed: the database
     * decides it (an order written before the loss wins; else it is released, HOLD_EXPIRED) and Redis gets the outcome
     * back, for replays of its key to answer.
     */
    private ConfirmOutcome decideLostAfterDeadline(SaleKeys sale, Reservation hold) {
        OrderDecision decision;
        try {
            decision = fence.release(hold, ReleaseReason.HOLD_EXPIRED);
        } catch (UnknownSaleException e) {
            LOG.warn(
                    "reservation {}: sale {} is neither in Redis nor in the database; nothing to decide",
                    hold.id(),
                    hold.saleId());
            return ConfirmOutcome.UNKNOWN_RESERVATION;
        }
        SettleOutcome settled = claims.followOrRestore(sale, hold, decision);
        LOG.warn(
                "reservation {} of sale {} was not in Redis (lost in a failover?) and its hold had expired; the database decided {}, "
                        + "Redis {}",
                hold.id(),
                hold.saleId(),
                decision,
                settled);
        if (decision instanceof OrderDecision.Released r && r.reason() == ReleaseReason.HOLD_EXPIRED) {
            return ConfirmOutcome.HOLD_EXPIRED;
        }
        return outcome(hold, decision);
    }

    private static ConfirmOutcome outcome(Reservation held, OrderDecision decision) {
        return switch (decision) {
            case OrderDecision.Ordered o -> o.now() ? ConfirmOutcome.CONFIRMED : ConfirmOutcome.ALREADY_CONFIRMED;
            case OrderDecision.OrderCancelled c -> ConfirmOutcome.ORDER_CANCELLED;
            case OrderDecision.Released r ->
                switch (r.reason()) {
                    case CLAIM_EXPIRED, HOLD_EXPIRED, BUYER_CANCELLED -> ConfirmOutcome.RELEASED;
                    case SOLD_OUT -> {
                        if (r.now()) {
                            LOG.error(
                                    "sale {} is sold out in the database but Redis held reservation {}: Redis had more stock than the "
                                            + "database (a lost write?); the reservation is refused",
                                    held.saleId(),
                                    held.id());
                        }
                        yield ConfirmOutcome.REFUSED_SOLD_OUT;
                    }
                    case DUPLICATE_KEY -> {
                        if (r.now()) {
                            LOG.error(
                                    "buyer {}'s idempotency key already made an order in sale {}; reservation {} under the same key is "
                                            + "refused",
                                    held.buyerId(),
                                    held.saleId(),
                                    held.id());
                        }
                        yield ConfirmOutcome.REFUSED_DUPLICATE_KEY;
                    }
                    case BUYER_LIMIT -> {
                        if (r.now()) {
                            LOG.error(
                                    "buyer {} would exceed the per-buyer limit of sale {} in the database with reservation {}: Redis "
                                            + "did not count all their units (a lost write?); the reservation is refused",
                                    held.buyerId(),
                                    held.saleId(),
                                    held.id());
                        }
                        yield ConfirmOutcome.REFUSED_BUYER_LIMIT;
                    }
                };
        };
    }
}

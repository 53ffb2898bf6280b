package dev.flashsale.confirm;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.UnknownSaleException;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.SettleOutcome;
import java.util.Optional;
import java.util.function.Consumer;
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
 */
public final class ConfirmHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmHandler.class);

    /** Step boundaries, for fault injection in tests. */
    public enum Step {
        /** The hold is CLAIMED in Redis; nothing is in the database yet. */
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
                .map(claims::parkOrRestore)
                .orElseGet(() -> claims.park(message.saleId(), message.reservationId()));
        return parked instanceof ClaimOutcome.Claimed || parked instanceof ClaimOutcome.Restored;
    }

    public ConfirmOutcome confirm(ConfirmationMessage message) {
        Optional<Reservation> copy = message.hold();
        ClaimOutcome claim = copy.map(claims::claimOrRestore)
                .orElseGet(() -> claims.claim(message.saleId(), message.reservationId()));
        Reservation held;
        switch (claim) {
            case ClaimOutcome.Claimed c -> held = c.reservation();
            case ClaimOutcome.Restored r -> {
                LOG.warn(
                        "reservation {} of sale {} was not in Redis (lost in a failover?); restored from its message as CLAIMED",
                        message.reservationId(),
                        message.saleId());
                held = r.reservation();
            }
            case ClaimOutcome.NotClaimable n -> {
                return n.status() == ReservationStatus.CONFIRMED
                        ? ConfirmOutcome.ALREADY_CONFIRMED
                        : ConfirmOutcome.NOT_HELD;
            }
            case ClaimOutcome.HoldExpired e -> {
                return ConfirmOutcome.HOLD_EXPIRED;
            }
            case ClaimOutcome.Unknown u -> {
                if (copy.isPresent()) {
                    return decideLostAfterDeadline(copy.get());
                }
                LOG.warn(
                        "reservation {} of sale {} is not in Redis and its version 1 message cannot restore it; no order written",
                        message.reservationId(),
                        message.saleId());
                return ConfirmOutcome.UNKNOWN_RESERVATION;
            }
        }
        if (held.quantity() != message.quantity() || !held.buyerId().equals(message.buyerId())) {
            LOG.warn(
                    "message for reservation {} says buyer {} x{}, Redis says buyer {} x{}; the order follows Redis",
                    held.id(),
                    message.buyerId(),
                    message.quantity(),
                    held.buyerId(),
                    held.quantity());
        }
        afterStep.accept(Step.CLAIMED);

        OrderDecision decision = fence.confirm(held);
        afterStep.accept(Step.COMMITTED);

        SettleOutcome settled = claims.follow(held.saleId(), held.id(), decision);
        if (settled == SettleOutcome.CONFLICT || settled == SettleOutcome.UNKNOWN) {
            LOG.error(
                    "reservation {} of sale {}: the database decided {} but Redis could not follow ({}); reconcile the sale",
                    held.id(),
                    held.saleId(),
                    decision,
                    settled);
        }
        return outcome(held, decision);
    }

    /**
     * Redis lost the reservation and its hold's deadline has passed (server clock), so it cannot be claimed: the database
     * decides it (an order written before the loss wins; else it is released, HOLD_EXPIRED) and Redis gets the outcome
     * back, for replays of its key to answer.
     */
    private ConfirmOutcome decideLostAfterDeadline(Reservation hold) {
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
        SettleOutcome settled = claims.followOrRestore(hold, decision);
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
            case OrderDecision.Released r ->
                switch (r.reason()) {
                    case CLAIM_EXPIRED, HOLD_EXPIRED -> ConfirmOutcome.RELEASED;
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

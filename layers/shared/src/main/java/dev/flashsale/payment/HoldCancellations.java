package dev.flashsale.payment;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buyer cancels a hold whose confirmation is still queued (HELD or CLAIMED), in a sale with a payment window: the
 * database fence records a {@link ReleaseReason#BUYER_CANCELLED} release unless the confirmer ordered it first (then
 * that order stands, and the caller cancels it as an order), and Redis follows the decision (the units back in stock,
 * or the reservation CONFIRMED). The confirmer that claims it afterwards finds the release, as it finds any. A Redis
 * failure after the decision is healed as a release job's would be: the release job or the confirmer's redelivery
 * follows the recorded release.
 */
public final class HoldCancellations {

    private static final Logger LOG = LoggerFactory.getLogger(HoldCancellations.class);

    private final OrderFence fence;
    private final HoldClaims claims;

    public HoldCancellations(OrderFence fence, HoldClaims claims) {
        this.fence = fence;
        this.claims = claims;
    }

    /** The database's decision: released now or before ({@code BUYER_CANCELLED} or another reason), or ordered. */
    public OrderDecision cancel(SaleKeys bucket, Reservation hold) {
        OrderDecision decision = fence.release(hold, ReleaseReason.BUYER_CANCELLED);
        try {
            claims.follow(bucket, hold.id(), decision);
        } catch (RuntimeException e) {
            LOG.warn(
                    "reservation {} of sale {}: decided {} but Redis could not follow now ({}); the release job or the"
                            + " confirmer does",
                    hold.id(),
                    hold.saleId(),
                    decision,
                    e.toString());
        }
        return decision;
    }
}

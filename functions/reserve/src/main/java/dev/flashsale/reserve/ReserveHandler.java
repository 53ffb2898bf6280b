package dev.flashsale.reserve;

import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.queue.QueueUnavailableException;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.ReleaseOutcome;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.SaleLoader;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a hold and queues its confirmation.
 * <ul>
 *   <li>If the queue refuses a new hold's message, the hold is cancelled at once and the caller gets a
 *       {@link DependencyUnavailableException}: a hold nobody will confirm must not strand stock. (If a confirmer has
 *       claimed it meanwhile, the message did get through, and the hold is answered as it is.)</li>
 *   <li>A replayed idempotency key answers the same reservation. A live hold's confirmation is re-sent when
 *       reserve.lua says so (the first attempt may have died between hold and send; at most once per
 *       {@code REPLAY_RESEND_INTERVAL}); if that re-send fails, nothing is cancelled (the first message may well be
 *       queued) and the caller is told to retry with the same key.</li>
 *   <li>While this environment has seen the sale sold out, a request is refused from memory unless its key was seen
 *       before (one HGET): a replay must get its reservation, not {@code sold-out}.</li>
 *   <li>A sale Redis does not know is loaded from the database once ({@link SaleLoader}) and the reservation tried
 *       again.</li>
 * </ul>
 */
public final class ReserveHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReserveHandler.class);
    static final Duration QUEUE_RETRY_AFTER = Duration.ofSeconds(2);

    private final ReservationStore store;
    private final ConfirmationQueue queue;
    private final ExpiringIds soldOut;
    private final SaleLoader loader;

    public ReserveHandler(ReservationStore store, ConfirmationQueue queue, ExpiringIds soldOut, SaleLoader loader) {
        this.store = store;
        this.queue = queue;
        this.soldOut = soldOut;
        this.loader = loader;
    }

    public ReserveOutcome reserve(ReserveRequest request) {
        if (soldOut.contains(request.saleId())
                && !store.keySeen(request.saleId(), request.buyerId(), request.idempotencyKey())) {
            return new ReserveOutcome.Refused(new Refusal.SoldOut(0, request.quantity()));
        }
        if (!queue.accepting()) {
            // The queue's breaker is open: a hold now would only be cancelled again. Touch nothing.
            throw new DependencyUnavailableException(
                    "sqs", QUEUE_RETRY_AFTER, "confirmation queue circuit breaker is open", null);
        }
        ReserveOutcome outcome = store.reserve(request);
        if (outcome instanceof ReserveOutcome.Refused r
                && r.refusal() instanceof Refusal.UnknownSale
                && loader.load(request.saleId())) {
            outcome = store.reserve(request);
        }
        rememberSoldOut(request.saleId(), outcome);
        if (outcome instanceof ReserveOutcome.Held held && held.send()) {
            try {
                queue.send(ConfirmationMessage.of(held.reservation(), held.bucket()));
            } catch (QueueUnavailableException e) {
                if (held.replayed()) {
                    throw kept(held, e);
                }
                return undo(held, e);
            }
        }
        return outcome;
    }

    private void rememberSoldOut(String saleId, ReserveOutcome outcome) {
        boolean lastUnitTaken =
                outcome instanceof ReserveOutcome.Held held && !held.replayed() && held.remaining() == 0;
        boolean nothingLeft = outcome instanceof ReserveOutcome.Refused refused
                && refused.refusal() instanceof Refusal.SoldOut s
                && s.available() == 0;
        if (lastUnitTaken || nothingLeft) {
            soldOut.add(saleId);
        }
    }

    /** A replay's re-send failed: the hold stays as it is; the next replay may re-send at once. Returns the answer. */
    private ProblemException kept(ReserveOutcome.Held held, QueueUnavailableException cause) {
        Reservation r = held.reservation();
        try {
            store.forgetResend(r);
        } catch (RuntimeException e) {
            LOG.warn(
                    "reservation {} of sale {}: could not clear its re-send mark ({}); the next replay re-sends after the interval",
                    r.id(),
                    r.saleId(),
                    e.toString());
        }
        LOG.warn(
                "confirmation queue refused the re-send of replayed reservation {} of sale {}; the hold is kept: {}",
                r.id(),
                r.saleId(),
                cause.toString());
        // Not the generic 503 ("nothing was reserved"): the reservation exists, and the same key will find it.
        return new ProblemException(Problem.of(
                        ProblemType.SERVICE_UNAVAILABLE,
                        "reservation " + r.id() + " is kept, but its "
                                + "confirmation could not be queued again; retry with the same Idempotency-Key after the Retry-After delay")
                .with("reservationId", r.id())
                .retryAfter(QUEUE_RETRY_AFTER));
    }

    /** A new hold's message was refused: cancel the hold, unless a confirmer already claimed it (then it got through). */
    private ReserveOutcome undo(ReserveOutcome.Held held, QueueUnavailableException cause) {
        Reservation r = held.reservation();
        ReleaseOutcome cancelled;
        try {
            cancelled = store.cancel(new SaleKeys(r.saleId(), held.bucket()), r.id());
        } catch (RuntimeException e) {
            // Redis failed too: the hold stays until its deadline, then the release job returns it to stock.
            LOG.error(
                    "confirmation queue refused reservation {} of sale {} and the hold could not be cancelled now; "
                            + "it returns to stock when it expires",
                    r.id(),
                    r.saleId(),
                    e);
            throw new DependencyUnavailableException(
                    "sqs",
                    QUEUE_RETRY_AFTER,
                    "the reservation could not be queued for confirmation; it will be released when its hold expires",
                    cause);
        }
        if (cancelled instanceof ReleaseOutcome.NotHeld notHeld
                && notHeld.status().filter(ReservationStatus::holdsStock).isPresent()) {
            LOG.warn(
                    "the send of reservation {} of sale {} reported a failure, but a confirmer has claimed it ({}): answered as held",
                    r.id(),
                    r.saleId(),
                    notHeld.status().get());
            return held;
        }
        LOG.warn(
                "confirmation queue refused reservation {} of sale {}; hold cancelled: {}",
                r.id(),
                r.saleId(),
                cancelled);
        throw new DependencyUnavailableException(
                "sqs",
                QUEUE_RETRY_AFTER,
                "the reservation could not be queued for confirmation and was released",
                cause);
    }
}

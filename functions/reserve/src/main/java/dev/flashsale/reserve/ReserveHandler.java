package dev.flashsale.reserve;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.ids.IdGenerator;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.ConfirmationQueue;
import dev.flashsale.queue.QueueUnavailableException;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.ReleaseOutcome;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SoldOutCache;

/**
 * Takes a hold and queues its confirmation. If the queue refuses the message the hold is released at once and the
 * caller gets a {@link DependencyUnavailableException}: a hold nobody will confirm must not strand stock. A sale Redis
 * does not know is loaded from the database once ({@link SaleLoader}) and the reservation tried again.
 */
public final class ReserveHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReserveHandler.class);
    static final Duration QUEUE_RETRY_AFTER = Duration.ofSeconds(2);

    private final ReservationStore store;
    private final ConfirmationQueue queue;
    private final IdGenerator ids;
    private final SoldOutCache soldOut;
    private final SaleLoader loader;

    public ReserveHandler(ReservationStore store, ConfirmationQueue queue, IdGenerator ids, SoldOutCache soldOut, SaleLoader loader) {
        this.store = store;
        this.queue = queue;
        this.ids = ids;
        this.soldOut = soldOut;
        this.loader = loader;
    }

    public ReserveOutcome reserve(ReserveRequest request) {
        if (soldOut.isSoldOut(request.saleId())) {
            return new ReserveOutcome.Refused(new Refusal.SoldOut(0, request.quantity()));
        }
        if (!queue.accepting()) {
            // The queue's breaker is open: a hold now would only be released again. Touch nothing.
            throw new DependencyUnavailableException("sqs", QUEUE_RETRY_AFTER, "confirmation queue circuit breaker is open", null);
        }
        ReserveOutcome outcome = store.reserve(request, ids.next());
        if (outcome instanceof ReserveOutcome.Refused r && r.refusal() instanceof Refusal.UnknownSale && loader.load(request.saleId())) {
            outcome = store.reserve(request, ids.next());
        }
        rememberSoldOut(request.saleId(), outcome);
        // A replayed HELD reservation is queued again: the first attempt may have died between hold and send.
        // Duplicates are harmless downstream (the confirmer is idempotent per reservation id).
        if (outcome instanceof ReserveOutcome.Held held && held.reservation().status() == ReservationStatus.HELD) {
            try {
                queue.send(ConfirmationMessage.of(held.reservation()));
            } catch (QueueUnavailableException e) {
                undo(held);
                throw new DependencyUnavailableException("sqs", QUEUE_RETRY_AFTER,
                        "the reservation could not be queued for confirmation and was released", e);
            }
        }
        return outcome;
    }

    private void rememberSoldOut(String saleId, ReserveOutcome outcome) {
        boolean lastUnitTaken = outcome instanceof ReserveOutcome.Held held && !held.replayed() && held.remaining() == 0;
        boolean nothingLeft = outcome instanceof ReserveOutcome.Refused refused
                && refused.refusal() instanceof Refusal.SoldOut s && s.available() == 0;
        if (lastUnitTaken || nothingLeft) {
            soldOut.markSoldOut(saleId);
        }
    }

    private void undo(ReserveOutcome.Held held) {
        String saleId = held.reservation().saleId();
        String id = held.reservation().id();
        try {
            ReleaseOutcome released = store.release(saleId, id, ReservationStatus.CANCELLED, false, true);
            LOG.warn("confirmation queue refused reservation {} of sale {}; hold released: {}", id, saleId, released);
        } catch (RuntimeException e) {
            // Redis failed too: the hold stays until its deadline, then the release job returns it to stock.
            LOG.error("confirmation queue refused reservation {} of sale {} and the hold could not be released now; "
                    + "it returns to stock when it expires", id, saleId, e);
        }
    }
}

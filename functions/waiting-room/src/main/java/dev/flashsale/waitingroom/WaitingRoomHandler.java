package dev.flashsale.waitingroom;

import dev.flashsale.admission.AdmissionQueue;
import dev.flashsale.admission.JoinOutcome;
import dev.flashsale.admission.QueuePlace;
import dev.flashsale.admission.Ticket;
import dev.flashsale.admission.Tickets;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.sale.SaleLoader;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A ticketed sale's waiting room: join, read one's place (with a signed ticket once admitted), read the gate. A place
 * or the gate is one Redis round trip (admission moves forward in it), a join two (the place, then the answer's place);
 * a sale Redis does not know is loaded from the
 * database once ({@link SaleLoader}) and asked again. Refusals are {@link ProblemException}s with precise types.
 */
public final class WaitingRoomHandler {

    private final AdmissionQueue queue;
    private final SaleLoader loader;
    private final Tickets tickets;

    public WaitingRoomHandler(AdmissionQueue queue, SaleLoader loader, Tickets tickets) {
        this.queue = queue;
        this.loader = loader;
        this.tickets = tickets;
    }

    /** The buyer's place after joining, and whether this call gave it. */
    public record Joined(boolean first, Place place) {}

    /** A place in the queue, with the buyer's ticket when admitted. */
    public record Place(QueuePlace place, Optional<String> ticket) {}

    public Joined join(String saleId, String buyerId) {
        JoinOutcome outcome = queue.join(saleId, buyerId);
        if (outcome instanceof JoinOutcome.UnknownSale && loader.load(saleId)) {
            outcome = queue.join(saleId, buyerId);
        }
        return switch (outcome) {
            case JoinOutcome.Joined j -> new Joined(j.first(), place(saleId, buyerId));
            case JoinOutcome.UnknownSale u -> throw notFound(saleId);
            case JoinOutcome.NotTicketed n -> throw notTicketed(saleId);
            case JoinOutcome.NotOpen n ->
                throw new ProblemException(Problem.of(
                                ProblemType.QUEUE_NOT_OPEN,
                                "the queue of sale '" + saleId + "' opens at " + n.opensAt())
                        .with("opensAt", n.opensAt().toString()));
            case JoinOutcome.Ended e ->
                throw new ProblemException(Problem.of(ProblemType.SALE_ENDED, "the sale ended at " + e.endedAt())
                        .with("endedAt", e.endedAt().toString()));
        };
    }

    /** The buyer's place; admission moves forward first. */
    public Place place(String saleId, String buyerId) {
        QueuePlace p = known(saleId, () -> queue.place(saleId, buyerId));
        if (p instanceof QueuePlace.Admitted a) {
            return new Place(p, Optional.of(tickets.issue(new Ticket(saleId, buyerId, a.position(), a.until()))));
        }
        return new Place(p, Optional.empty());
    }

    /** The gate alone ({@link QueuePlace.NotJoined} or {@link QueuePlace.Ended}); admission moves forward first. */
    public QueuePlace gate(String saleId) {
        return known(saleId, () -> queue.gate(saleId));
    }

    public double ratePerSecond() {
        return queue.policy().ratePerSecond();
    }

    private QueuePlace known(String saleId, Supplier<QueuePlace> read) {
        QueuePlace p = read.get();
        if (p instanceof QueuePlace.UnknownSale && loader.load(saleId)) {
            p = read.get();
        }
        if (p instanceof QueuePlace.UnknownSale) {
            throw notFound(saleId);
        }
        if (p instanceof QueuePlace.NotTicketed) {
            throw notTicketed(saleId);
        }
        if (p instanceof QueuePlace.RateLimited r) {
            throw new ProblemException(Problem.of(
                            ProblemType.RATE_LIMITED,
                            "your place was read too often; pollAfterSeconds says when to read it again, retry after "
                                    + r.retryAfter().toMillis() + " ms")
                    .retryAfter(r.retryAfter()));
        }
        return p;
    }

    private static ProblemException notFound(String saleId) {
        return new ProblemException(Problem.of(ProblemType.SALE_NOT_FOUND, "no sale '" + saleId + "'")
                .with("saleId", saleId));
    }

    private static ProblemException notTicketed(String saleId) {
        return new ProblemException(Problem.of(
                        ProblemType.SALE_NOT_TICKETED,
                        "sale '" + saleId + "' admits every buyer: reserve without joining a queue")
                .with("saleId", saleId));
    }
}

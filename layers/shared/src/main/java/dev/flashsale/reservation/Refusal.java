package dev.flashsale.reservation;

import dev.flashsale.admission.TicketCheck;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemType;
import java.time.Duration;
import java.time.Instant;

/** Why a reservation was not taken. Each refusal knows the problem document it is answered with. */
public sealed interface Refusal {

    Problem problem();

    record UnknownSale(String saleId) implements Refusal {
        public Problem problem() {
            return Problem.of(ProblemType.SALE_NOT_FOUND, "no sale '" + saleId + "' is open for reservations")
                    .with("saleId", saleId);
        }
    }

    /** A ticketed sale and no valid ticket: absent, expired, or not this sale's and buyer's. Nothing was written. */
    record NotAdmitted(String saleId, TicketCheck ticket) implements Refusal {
        public NotAdmitted {
            if (ticket == TicketCheck.VALID) {
                throw new IllegalArgumentException("a valid ticket is admitted");
            }
        }

        public Problem problem() {
            String detail = switch (ticket) {
                case ABSENT ->
                    "sale '" + saleId + "' admits buyers through its queue: join it, and reserve with the "
                            + "ticket it gives you in the Admission-Ticket header";
                case EXPIRED -> "your admission ticket has expired: the turn it gave has passed";
                default -> "the admission ticket is not valid for this sale and buyer";
            };
            return Problem.of(ticket.refusal(), detail).with("saleId", saleId);
        }
    }

    record NotStarted(Instant startsAt) implements Refusal {
        public Problem problem() {
            return Problem.of(ProblemType.SALE_NOT_STARTED, "the sale starts at " + startsAt)
                    .with("startsAt", startsAt.toString());
        }
    }

    record Ended(Instant endedAt) implements Refusal {
        public Problem problem() {
            return Problem.of(ProblemType.SALE_ENDED, "the sale ended at " + endedAt)
                    .with("endedAt", endedAt.toString());
        }
    }

    record AboveOrderMax(int requested, int maxPerOrder) implements Refusal {
        public Problem problem() {
            return Problem.of(
                            ProblemType.INVALID_QUANTITY,
                            "quantity " + requested + " exceeds this sale's maximum of " + maxPerOrder + " per order")
                    .with("maxPerOrder", maxPerOrder);
        }
    }

    record RateLimited(Duration retryAfter) implements Refusal {
        public Problem problem() {
            return Problem.of(
                            ProblemType.RATE_LIMITED,
                            "too many reservation attempts; retry after " + retryAfter.toMillis() + " ms")
                    .retryAfter(retryAfter);
        }
    }

    record LimitExceeded(int limit, int alreadyReserved, int requested) implements Refusal {
        public Problem problem() {
            return Problem.of(
                            ProblemType.PURCHASE_LIMIT_EXCEEDED,
                            "you hold or bought " + alreadyReserved + " of at most " + limit + " units; " + requested
                                    + " more would exceed it")
                    .with("limit", limit)
                    .with("alreadyReserved", alreadyReserved);
        }
    }

    record SoldOut(int available, int requested) implements Refusal {
        public Problem problem() {
            String detail = available == 0
                    ? "no units are left"
                    : "only " + available + " units are left, " + requested + " requested";
            return Problem.of(ProblemType.SOLD_OUT, detail).with("remaining", available);
        }
    }

    record KeyReused(Reservation original, int requested) implements Refusal {
        public Problem problem() {
            return Problem.of(
                            ProblemType.IDEMPOTENCY_KEY_REUSED,
                            "this Idempotency-Key already reserved " + original.quantity() + " units; a request for "
                                    + requested + " needs a new key")
                    .with("reservationId", original.id());
        }
    }
}

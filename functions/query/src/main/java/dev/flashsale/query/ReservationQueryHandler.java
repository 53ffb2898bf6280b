package dev.flashsale.query;

import dev.flashsale.db.DecidedReservations;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import java.util.Map;
import java.util.Optional;

/**
 * A buyer's view of their reservations: from Redis, or, when Redis no longer has it (past retention, or lost in a
 * failover), as the database decided it. Another buyer's reservation is indistinguishable from a missing one.
 */
public final class ReservationQueryHandler {

    private final ReservationStore store;
    private final DecidedReservations decided;

    public ReservationQueryHandler(ReservationStore store, DecidedReservations decided) {
        this.store = store;
        this.decided = decided;
    }

    /** The reservation's JSON view, if the buyer has it. */
    public Optional<Map<String, Object>> find(String saleId, String reservationId, String buyerId) {
        Optional<Map<String, Object>> live = store.find(saleId, reservationId)
                .filter(r -> r.buyerId().equals(buyerId))
                .map(ReservationView::of);
        return live.isPresent()
                ? live
                : decided.find(saleId, reservationId, buyerId).map(ReservationView::of);
    }
}

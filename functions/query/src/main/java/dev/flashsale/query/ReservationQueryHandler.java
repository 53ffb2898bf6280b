package dev.flashsale.query;

import java.util.Optional;

import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStore;

/** A buyer's view of their reservations: another buyer's reservation is indistinguishable from a missing one. */
public final class ReservationQueryHandler {

    private final ReservationStore store;

    public ReservationQueryHandler(ReservationStore store) {
        this.store = store;
    }

    public Optional<Reservation> find(String saleId, String reservationId, String buyerId) {
        return store.find(saleId, reservationId).filter(r -> r.buyerId().equals(buyerId));
    }
}

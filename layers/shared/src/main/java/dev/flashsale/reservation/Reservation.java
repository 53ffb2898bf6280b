package dev.flashsale.reservation;

import java.time.Instant;

/** A buyer's hold on units of a sale, as recorded in Redis. */
public record Reservation(
        String id,
        String saleId,
        String buyerId,
        int quantity,
        ReservationStatus status,
        Instant createdAt,
        Instant expiresAt,
        String idempotencyKey) {

    public Reservation withStatus(ReservationStatus newStatus) {
        return new Reservation(id, saleId, buyerId, quantity, newStatus, createdAt, expiresAt, idempotencyKey);
    }

    public Reservation withExpiresAt(Instant deadline) {
        return new Reservation(id, saleId, buyerId, quantity, status, createdAt, deadline, idempotencyKey);
    }
}

package dev.flashsale.reservation;

/** A validated request for a hold: who, on which sale, how many, under which idempotency key. */
public record ReserveRequest(String saleId, String buyerId, String idempotencyKey, int quantity) {}

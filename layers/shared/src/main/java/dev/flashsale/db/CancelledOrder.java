package dev.flashsale.db;

/** An order the database has just cancelled: its units left {@code sold}, and Redis is to take them back. */
public record CancelledOrder(String reservationId, String saleId, String buyerId, int quantity, CancelReason reason) {}

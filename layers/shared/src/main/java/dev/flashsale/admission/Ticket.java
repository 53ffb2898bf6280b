package dev.flashsale.admission;

import java.time.Instant;

/**
 * What an admission ticket says: this buyer, admitted from this position of this sale's queue, may reserve until
 * {@code expiresAt}.
 */
public record Ticket(String saleId, String buyerId, long position, Instant expiresAt) {}

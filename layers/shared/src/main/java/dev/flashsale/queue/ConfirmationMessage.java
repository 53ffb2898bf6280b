package dev.flashsale.queue;

import dev.flashsale.json.Json;
import dev.flashsale.json.JsonException;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The message that asks for a hold to be confirmed into an order. Versioned: a consumer refuses versions it does not
 * know instead of guessing.
 *
 * <pre>{"version":2,"reservationId":"01J...","saleId":"sale-42","buyerId":"u-1","quantity":2,
 *  "heldAt":"2026-11-22T10:00:00.123Z","expiresAt":"2026-11-22T10:10:00.123Z","idempotencyKey":"k-1"}</pre>
 *
 * Version 2 carries the idempotency key, so that the message alone describes the hold: when Redis lost the reservation
 * (a failover), the confirmer restores it from the message and the database decides it. Version 1 messages (no key),
 * still in a queue at an upgrade, are read too; a lost reservation of theirs cannot be restored.
 *
 * Version 3 adds {@code bucket}, the buyer's home bucket in a sale split into several, where the reservation lives; a
 * message of a sale with one bucket stays version 2 (bucket 0), so a consumer of an earlier release reads it.
 *
 * @param idempotencyKey null in a version 1 message
 * @param bucket         the reservation's bucket ({@link dev.flashsale.redis.Buckets}); 0 in versions 1 and 2
 */
public record ConfirmationMessage(
        String reservationId,
        String saleId,
        String buyerId,
        int quantity,
        Instant heldAt,
        Instant expiresAt,
        String idempotencyKey,
        int bucket) {

    public static final int VERSION = 3;
    private static final Set<String> FIELDS = Set.of(
            "version",
            "reservationId",
            "saleId",
            "buyerId",
            "quantity",
            "heldAt",
            "expiresAt",
            "idempotencyKey",
            "bucket");

    public ConfirmationMessage {
        if (bucket < 0 || bucket >= Buckets.MAX) {
            throw new IllegalArgumentException("bucket must be 0.." + (Buckets.MAX - 1) + ", was " + bucket);
        }
    }

    /** A message of a sale with one bucket. */
    public ConfirmationMessage(
            String reservationId,
            String saleId,
            String buyerId,
            int quantity,
            Instant heldAt,
            Instant expiresAt,
            String idempotencyKey) {
        this(reservationId, saleId, buyerId, quantity, heldAt, expiresAt, idempotencyKey, 0);
    }

    /** The confirmation of a hold in bucket 0 (a sale with one bucket). */
    public static ConfirmationMessage of(Reservation r) {
        return of(r, 0);
    }

    /** The confirmation of a hold in {@code bucket}, the buyer's home bucket. */
    public static ConfirmationMessage of(Reservation r, int bucket) {
        return new ConfirmationMessage(
                r.id(),
                r.saleId(),
                r.buyerId(),
                r.quantity(),
                r.createdAt(),
                r.expiresAt(),
                r.idempotencyKey(),
                bucket);
    }

    /** The version this message is written as: 2 for bucket 0, which earlier consumers read too; else 3. */
    public int version() {
        return bucket == 0 ? 2 : VERSION;
    }

    /** The keys of the bucket the reservation lives in. */
    public SaleKeys keys() {
        return new SaleKeys(saleId, bucket);
    }

    /**
     * The hold this message was sent for, as Redis recorded it (status {@code HELD}), for a reservation Redis no longer
     * has; empty for a version 1 message, which lacks the idempotency key.
     */
    public Optional<Reservation> hold() {
        return idempotencyKey == null
                ? Optional.empty()
                : Optional.of(new Reservation(
                        reservationId,
                        saleId,
                        buyerId,
                        quantity,
                        ReservationStatus.HELD,
                        heldAt,
                        expiresAt,
                        idempotencyKey));
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version());
        m.put("reservationId", reservationId);
        m.put("saleId", saleId);
        m.put("buyerId", buyerId);
        m.put("quantity", quantity);
        m.put("heldAt", heldAt.toString());
        m.put("expiresAt", expiresAt.toString());
        m.put("idempotencyKey", idempotencyKey);
        if (bucket != 0) {
            m.put("bucket", bucket);
        }
        return Json.write(m);
    }

    /** @throws MalformedMessageException naming what is wrong */
    public static ConfirmationMessage fromJson(String json) {
        Map<String, Object> m;
        try {
            m = Json.readObject(json);
        } catch (JsonException e) {
            throw new MalformedMessageException(e.getMessage());
        }
        Object version = m.get("version");
        if (!(version instanceof Integer v) || v < 1 || v > VERSION) {
            throw new MalformedMessageException(
                    "unsupported message version " + version + " (this consumer reads 1 to " + VERSION + ")");
        }
        if (v == 1 && m.containsKey("idempotencyKey")) {
            throw new MalformedMessageException("unknown field 'idempotencyKey' (a version 1 message has none)");
        }
        for (String key : m.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new MalformedMessageException("unknown field '" + key + "'");
            }
        }
        if (v < 3 && m.containsKey("bucket")) {
            throw new MalformedMessageException("unknown field 'bucket' (a version " + v + " message has none)");
        }
        Object quantity = m.get("quantity");
        if (!(quantity instanceof Integer q) || q < 1) {
            throw new MalformedMessageException("quantity must be a positive integer, was " + quantity);
        }
        Object bucket = m.getOrDefault("bucket", 0);
        if (!(bucket instanceof Integer b) || b < 0 || b >= Buckets.MAX) {
            throw new MalformedMessageException(
                    "bucket must be an integer 0.." + (Buckets.MAX - 1) + ", was " + bucket);
        }
        return new ConfirmationMessage(
                text(m, "reservationId"),
                text(m, "saleId"),
                text(m, "buyerId"),
                q,
                instant(m, "heldAt"),
                instant(m, "expiresAt"),
                v == 1 ? null : text(m, "idempotencyKey"),
                b);
    }

    private static String text(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof String s) || s.isEmpty()) {
            throw new MalformedMessageException(field + " must be a non-empty string");
        }
        return s;
    }

    private static Instant instant(Map<String, Object> m, String field) {
        try {
            return Instant.parse(text(m, field));
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException(field + " must be an ISO-8601 instant");
        }
    }
}

package dev.flashsale.reservation;

import dev.flashsale.ids.Crockford;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A reservation's id, derived from what makes a request the same request: the sale, the buyer and the idempotency key.
 * The same key always names the same reservation, even after Redis lost the key's mapping in a failover: a replay
 * finds the reservation again (or re-creates it under the same id), and the database, whose orders and releases are
 * keyed by reservation id, decides it once. 26 Crockford base32 characters (the first 128 bits of a SHA-256), the
 * shape of the ULIDs the stack used before.
 */
public final class ReservationIds {

    private ReservationIds() {}

    public static String of(String saleId, String buyerId, String idempotencyKey) {
        return Crockford.encode(Arrays.copyOf(sha256(saleId + '\n' + buyerId + '\n' + idempotencyKey), 16), 26);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

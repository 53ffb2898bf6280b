package dev.flashsale.reservation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A reservation's id, derived from what makes a request the same request: the sale, the buyer and the idempotency key.
 * The same key always names the same reservation, even after Redis lost the key's mapping in a failover: a replay
 * finds the reservation again (or re-creates it under the same id), and the database, whose orders and releases are
 * keyed by reservation id, decides it once. 26 Crockford base32 characters (the first 130 bits of a SHA-256), the
 * shape of the ULIDs the stack used before.
 */
public final class ReservationIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private ReservationIds() {}

    public static String of(String saleId, String buyerId, String idempotencyKey) {
        byte[] digest = sha256(saleId + '\n' + buyerId + '\n' + idempotencyKey);
        char[] out = new char[26];
        int bit = 0;
        for (int i = 0; i < out.length; i++, bit += 5) {
            int value = 0;
            for (int b = bit; b < bit + 5; b++) {
                value = (value << 1) | ((digest[b / 8] >> (7 - b % 8)) & 1);
            }
            out[i] = ALPHABET[value];
        }
        return new String(out);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

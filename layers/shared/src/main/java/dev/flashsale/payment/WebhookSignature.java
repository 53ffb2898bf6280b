package dev.flashsale.payment;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payment provider's signature on a webhook request: header {@code Flashsale-Signature: t=<unix seconds>,v1=<hex>}
 * where {@code v1} is HMAC-SHA256 with the shared secret over {@code "<t>." + body}. The timestamp is signed too, so a
 * captured request cannot be replayed after {@code tolerance}; within it, the event id makes a replay change nothing.
 */
public final class WebhookSignature {

    public static final String HEADER = "flashsale-signature";
    private static final String ALGORITHM = "HmacSHA256";

    /** Why a signature was refused, or that it was not. */
    public enum Verdict {
        VALID,
        MISSING,
        MALFORMED,
        STALE,
        MISMATCH
    }

    private final byte[] secret;
    private final Duration tolerance;

    /** @param secret at least 32 bytes, shared with the payment provider */
    public WebhookSignature(byte[] secret, Duration tolerance) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("a webhook secret must have at least 32 bytes, had " + secret.length);
        }
        this.secret = secret.clone();
        this.tolerance = tolerance;
    }

    /** The header value a provider sends for {@code body} at {@code time}. */
    public String sign(String body, Instant time) {
        long t = time.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(t + "." + body));
    }

    public Verdict verify(String header, String body, Instant now) {
        if (header == null || header.isBlank()) {
            return Verdict.MISSING;
        }
        Long t = null;
        byte[] given = null;
        for (String part : header.split(",")) {
            String p = part.strip();
            try {
                if (p.startsWith("t=") && t == null) {
                    t = Long.parseLong(p.substring(2));
                } else if (p.startsWith("v1=") && given == null) {
                    given = HexFormat.of().parseHex(p.substring(3));
                }
            } catch (IllegalArgumentException e) {
                return Verdict.MALFORMED;
            }
        }
        if (t == null || given == null || given.length != 32) {
            return Verdict.MALFORMED;
        }
        // the MAC first, so a forged request learns nothing from the clock check
        if (!MessageDigest.isEqual(given, mac(t + "." + body))) {
            return Verdict.MISMATCH;
        }
        long age = now.getEpochSecond() - t;
        return Math.abs(age) > tolerance.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.flashsale.payment;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payment provider's signature on a webhook request: header {@code Flashsale-Signature: t=<unix seconds>,v1=<hex>}
 * where {@code v1} is HMAC-SHA256 with the shared secret over {@code "<t>." + body}. The timestamp is signed too, so a
 * captured request cannot be replayed after {@code tolerance}; within it, the event id makes a replay change nothing.
 *
 * <p>Rotation: the header may carry several {@code v1} entries (a provider signs with its old and new secret while it
 * rotates), and this side may know a previous secret besides the current one; a request verifies when any entry
 * matches any known secret. Signing ({@link #sign}) uses the current secret only.
 */
public final class WebhookSignature {

    public static final String HEADER = "flashsale-signature";
    /** {@code v1} entries looked at per request: a rotation needs two; more only costs MACs. */
    static final int MAX_SIGNATURES = 4;

    private static final String ALGORITHM = "HmacSHA256";

    /** Why a signature was refused, or that it was not. */
    public enum Verdict {
        VALID,
        MISSING,
        MALFORMED,
        STALE,
        MISMATCH
    }

    private final List<byte[]> secrets;
    private final Duration tolerance;

    /** @param secret at least 32 bytes, shared with the payment provider */
    public WebhookSignature(byte[] secret, Duration tolerance) {
        this(List.of(secret), tolerance);
    }

    /**
     * @param secrets the current secret first, then, while rotating, the previous one; each at least 32 bytes
     */
    public WebhookSignature(List<byte[]> secrets, Duration tolerance) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("a webhook signature needs a secret");
        }
        for (byte[] secret : secrets) {
            if (secret.length < 32) {
                throw new IllegalArgumentException(
                        "a webhook secret must have at least 32 bytes, had " + secret.length);
            }
        }
        this.secrets = secrets.stream().map(byte[]::clone).toList();
        this.tolerance = tolerance;
    }

    /** The header value a provider sends for {@code body} at {@code time}, signed with the current secret. */
    public String sign(String body, Instant time) {
        long t = time.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(secrets.get(0), t + "." + body));
    }

    public Verdict verify(String header, String body, Instant now) {
        if (header == null || header.isBlank()) {
            return Verdict.MISSING;
        }
        Long t = null;
        List<byte[]> given = new ArrayList<>();
        for (String part : header.split(",")) {
            String p = part.strip();
            try {
                if (p.startsWith("t=") && t == null) {
                    t = Long.parseLong(p.substring(2));
                } else if (p.startsWith("v1=") && given.size() < MAX_SIGNATURES) {
                    given.add(HexFormat.of().parseHex(p.substring(3)));
                }
            } catch (IllegalArgumentException e) {
                return Verdict.MALFORMED;
            }
        }
        if (t == null || given.isEmpty() || given.stream().anyMatch(g -> g.length != 32)) {
            return Verdict.MALFORMED;
        }
        // the MAC first, so a forged request learns nothing from the clock check
        if (!matches(given, t + "." + body)) {
            return Verdict.MISMATCH;
        }
        long age = now.getEpochSecond() - t;
        return Math.abs(age) > tolerance.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    /** Whether any given signature is the MAC of {@code text} with any known secret (every pair compared). */
    private boolean matches(List<byte[]> given, String text) {
        boolean match = false;
        for (byte[] secret : secrets) {
            byte[] expected = mac(secret, text);
            for (byte[] g : given) {
                match |= MessageDigest.isEqual(g, expected);
            }
        }
        return match;
    }

    private static byte[] mac(byte[] secret, String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}

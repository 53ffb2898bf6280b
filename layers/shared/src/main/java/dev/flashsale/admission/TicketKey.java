package dev.flashsale.admission;

import dev.flashsale.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret that signs admission tickets (HMAC-SHA256). Every function that issues or verifies tickets must have the
 * same one: in AWS a Secrets Manager secret resolved into {@code ADMISSION_TICKET_KEY} at deploy time, locally a
 * generated one. Its text is the key (UTF-8), at least {@value #MIN_LENGTH} characters; the template generates 64.
 */
public final class TicketKey {

    public static final int MIN_LENGTH = 16;

    private final byte[] bytes;

    private TicketKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The key whose text is {@code secret}; refuses one shorter than {@value #MIN_LENGTH} characters. */
    public static TicketKey of(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            throw new ConfigException("ADMISSION_TICKET_KEY must be at least " + MIN_LENGTH + " characters");
        }
        return new TicketKey(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh random key (256 bits), for local runs and tests: tickets it signs verify only with this object. */
    public static TicketKey generate(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return of(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "TicketKey[redacted]";
    }
}

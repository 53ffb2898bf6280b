package dev.flashsale.admission;

import dev.flashsale.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret that signs admission tickets (HMAC-SHA256). Every function that issues or verifies tickets must have the
 * same one: in AWS a Secrets Manager secret resolved into {@code ADMISSION_TICKET_KEY} at deploy time, locally a
 * generated one. Its text is the key (UTF-8), at least {@value #MIN_LENGTH} characters; the template generates 64.
 *
 * <p>Rotation: {@code ADMISSION_TICKET_KEY_PREVIOUS} holds the key before it. Tickets are signed with the current key
 * only and verified with either, so a ticket issued just before a rotation stays good for its short life (a minute by
 * default); once that has passed the previous key can go. In the template both come from the same secret ({@code key}
 * and {@code previous}); see docs/admission.md.
 */
public final class TicketKey {

    public static final int MIN_LENGTH = 16;

    private final byte[] bytes;
    private final TicketKey previous;

    private TicketKey(byte[] bytes, TicketKey previous) {
        this.bytes = bytes;
        this.previous = previous;
    }

    /**
     * The keys of {@code ADMISSION_TICKET_KEY} and, when set and not blank, {@code ADMISSION_TICKET_KEY_PREVIOUS};
     * without the first, a generated one (local runs: nothing else shares it).
     */
    public static TicketKey from(dev.flashsale.config.Config config) {
        TicketKey current = config.optional("ADMISSION_TICKET_KEY")
                .map(TicketKey::of)
                .orElseGet(() -> generate(new SecureRandom()));
        return config.optional("ADMISSION_TICKET_KEY_PREVIOUS")
                .filter(s -> !s.isBlank())
                .map(old -> current.withPrevious(of(old)))
                .orElse(current);
    }

    /** This key, with {@code old} also accepted when verifying. */
    public TicketKey withPrevious(TicketKey old) {
        return new TicketKey(bytes, new TicketKey(old.bytes, null));
    }

    /** The key before this one, still accepted when verifying; empty when there is none. */
    java.util.Optional<TicketKey> previous() {
        return java.util.Optional.ofNullable(previous);
    }

    /** The key whose text is {@code secret}; refuses one shorter than {@value #MIN_LENGTH} characters. */
    public static TicketKey of(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            throw new ConfigException("ADMISSION_TICKET_KEY must be at least " + MIN_LENGTH + " characters");
        }
        return new TicketKey(secret.getBytes(StandardCharsets.UTF_8), null);
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

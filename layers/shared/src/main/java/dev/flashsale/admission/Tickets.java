package dev.flashsale.admission;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies admission tickets: {@code v1.<payload>.<signature>}, both parts base64url without padding. The
 * payload is {@code saleId \n expiresAtMillis \n position \n buyerId} (the buyer last: a JWT {@code sub} may hold any
 * character); the signature is HMAC-SHA256 over {@code v1.<payload>} with the {@link TicketKey}, compared in constant
 * time. Pure: no I/O, no clock of its own (the caller passes {@code now}), so ReserveFunction verifies without a
 * database or Redis call. A ticket is a bearer token bound to one sale and one buyer: another buyer's or another sale's
 * ticket is {@link TicketCheck#INVALID}, whoever presents it.
 */
public final class Tickets {

    /** Tickets longer than this are refused unread (a buyer id is at most a few hundred characters). */
    public static final int MAX_LENGTH = 2048;

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    /** The key before {@link #key}, accepted when verifying during a rotation; null when there is none. */
    private final SecretKeySpec previous;

    public Tickets(TicketKey key) {
        this.key = new SecretKeySpec(key.bytes(), ALGORITHM);
        this.previous =
                key.previous().map(p -> new SecretKeySpec(p.bytes(), ALGORITHM)).orElse(null);
    }

    public String issue(Ticket ticket) {
        if (ticket.saleId().indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a sale id has no line breaks");
        }
        String payload = ENCODER.encodeToString((ticket.saleId() + "\n"
                        + ticket.expiresAt().toEpochMilli() + "\n" + ticket.position() + "\n" + ticket.buyerId())
                .getBytes(StandardCharsets.UTF_8));
        String signed = VERSION + "." + payload;
        return signed + "." + ENCODER.encodeToString(mac(key, signed));
    }

    /**
     * What {@code token} is worth for {@code saleId} and {@code buyerId} at {@code now}: the signature first (a forged
     * or altered ticket is {@link TicketCheck#INVALID} whatever it claims), then the binding, then the expiry.
     *
     * @param token the ticket as presented, or null when none was
     */
    public TicketPass check(String token, String saleId, String buyerId, Instant now) {
        if (token == null || token.isEmpty()) {
            return TicketPass.ABSENT;
        }
        Optional<Ticket> ticket = read(token);
        if (ticket.isEmpty()) {
            return TicketPass.INVALID;
        }
        Ticket t = ticket.get();
        if (!t.saleId().equals(saleId) || !t.buyerId().equals(buyerId)) {
            return TicketPass.INVALID;
        }
        return new TicketPass(now.isBefore(t.expiresAt()) ? TicketCheck.VALID : TicketCheck.EXPIRED, t.expiresAt());
    }

    /** The ticket {@code token} carries if it is well formed and signed with this key; empty otherwise. */
    public Optional<Ticket> read(String token) {
        if (token.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            return Optional.empty();
        }
        String signed = parts[0] + "." + parts[1];
        byte[] presented;
        byte[] payload;
        try {
            presented = DECODER.decode(parts[2]);
            payload = DECODER.decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(key, signed), presented)
                && (previous == null || !MessageDigest.isEqual(mac(previous, signed), presented))) {
            return Optional.empty();
        }
        String[] fields = new String(payload, StandardCharsets.UTF_8).split("\n", 4);
        if (fields.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Ticket(
                    fields[0], fields[3], Long.parseLong(fields[2]), Instant.ofEpochMilli(Long.parseLong(fields[1]))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static byte[] mac(SecretKeySpec with, String text) {
        try {
            // A Mac is not thread-safe; one per call costs a few microseconds.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(with);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }
}

package dev.flashsale.http;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} request header: 1 to {@value #MAX_LENGTH} printable ASCII characters without spaces
 * ({@code 0x21}–{@code 0x7E}); surrounding whitespace is trimmed and the structured-header string form
 * ({@code "..."}) is unquoted. A bad key is refused with a 400 problem.
 */
public final class IdempotencyKey {

    public static final int MAX_LENGTH = 128;
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]+");

    private IdempotencyKey() {}

    /** The request's key; a missing one is refused ({@code missing-idempotency-key}). */
    public static String required(HttpRequest http, String why) {
        return optional(http)
                .orElseThrow(() -> new ProblemException(
                        ProblemType.MISSING_IDEMPOTENCY_KEY,
                        "send an Idempotency-Key header (for example a UUID) " + why));
    }

    /** The request's key, if it sent one. */
    public static Optional<String> optional(HttpRequest http) {
        Optional<String> header = http.header("idempotency-key");
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String key = header.get().trim();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1); // structured-header string form
        }
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            throw new ProblemException(
                    ProblemType.INVALID_IDEMPOTENCY_KEY,
                    "Idempotency-Key must be 1 to " + MAX_LENGTH + " characters, was " + key.length());
        }
        if (!KEY.matcher(key).matches()) {
            throw new ProblemException(
                    ProblemType.INVALID_IDEMPOTENCY_KEY,
                    "Idempotency-Key may hold only printable ASCII characters without spaces");
        }
        return Optional.of(key);
    }
}

package dev.flashsale.orders;

import dev.flashsale.db.PaymentEvent;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.json.Json;
import dev.flashsale.json.JsonException;
import dev.flashsale.payment.WebhookSignature;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns {@code POST /payments/events} into a {@link PaymentEvent}, or refuses it with a precise 4xx problem. The body
 * is read raw (413 above {@value #MAX_BODY_BYTES} bytes) and its signature checked before anything else looks at it: an
 * unsigned or forged request learns nothing about what the body should be. Nothing here touches the database.
 */
public final class WebhookRequestReader {

    public static final int MAX_BODY_BYTES = 4096;
    public static final int MAX_EVENT_ID_LENGTH = PaymentEvent.MAX_ID_LENGTH;

    private static final Pattern EVENT_ID = PaymentEvent.ID;
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final List<String> FIELDS = List.of("eventId", "reservationId", "amountCents", "currency");

    private final WebhookSignature signature;
    private final Clock clock;

    public WebhookRequestReader(WebhookSignature signature, Clock clock) {
        this.signature = signature;
        this.clock = clock;
    }

    public PaymentEvent read(HttpRequest http) {
        String body = http.body(MAX_BODY_BYTES);
        verify(http.header(WebhookSignature.HEADER).orElse(null), body);
        http.requireJsonContentType();
        return event(body);
    }

    private void verify(String header, String body) {
        switch (signature.verify(header, body, clock.instant())) {
            case VALID -> {}
            case MISSING -> throw invalidSignature("the Flashsale-Signature header is missing");
            case MALFORMED ->
                throw invalidSignature(
                        "the Flashsale-Signature header is malformed: expected t=<unix seconds>,v1=<64 hex digits>");
            case MISMATCH ->
                throw invalidSignature(
                        "the signature does not match the body (HMAC-SHA256 of \"<t>.<body>\" with the shared secret)");
            case STALE ->
                throw new ProblemException(
                        ProblemType.STALE_SIGNATURE,
                        "the signature's timestamp is outside the tolerance: sign each delivery when sending it");
        }
    }

    private static ProblemException invalidSignature(String detail) {
        return new ProblemException(ProblemType.INVALID_SIGNATURE, detail);
    }

    static PaymentEvent event(String body) {
        if (body.isBlank()) {
            throw invalid("the body must be a JSON object with eventId, reservationId, amountCents and currency");
        }
        Map<String, Object> json;
        try {
            json = Json.readObject(body);
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
        for (String field : json.keySet()) {
            if (!FIELDS.contains(field)) {
                throw invalid("unknown field '" + field + "'; the body has only " + String.join(", ", FIELDS));
            }
        }
        for (String field : FIELDS) {
            if (!json.containsKey(field)) {
                throw invalid("the field '" + field + "' is required");
            }
        }
        String eventId = string(json, "eventId");
        if (!EVENT_ID.matcher(eventId).matches()) {
            throw invalid("eventId must be 1 to " + MAX_EVENT_ID_LENGTH + " of A-Z a-z 0-9 _ . : -");
        }
        String reservationId = string(json, "reservationId");
        if (!HttpRequest.ID.matcher(reservationId).matches()) {
            throw invalid("reservationId must be 1 to 64 letters, digits, '-' or '_'");
        }
        long amount = amount(json.get("amountCents"));
        String currency = string(json, "currency");
        if (!CURRENCY.matcher(currency).matches()) {
            throw invalid("currency must be an ISO 4217 code, three capital letters, was '" + currency + "'");
        }
        return new PaymentEvent(eventId, reservationId, amount, currency);
    }

    private static String string(Map<String, Object> json, String field) {
        Object v = json.get(field);
        if (v instanceof String s) {
            return s;
        }
        throw invalid(field + " must be a string, was " + type(v));
    }

    private static long amount(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n < 0) {
                throw invalid("amountCents must not be negative, was " + n);
            }
            return n;
        }
        if (v instanceof BigInteger n) {
            throw invalid("amountCents is out of range, was " + n);
        }
        throw invalid("amountCents must be an integer (minor units), was " + type(v));
    }

    private static String type(Object v) {
        return v == null
                ? "null"
                : v instanceof Double || v instanceof Float || v instanceof BigDecimal
                        ? "a decimal number"
                        : v instanceof Number
                                ? "a number"
                                : v instanceof String
                                        ? "a string"
                                        : v instanceof Boolean
                                                ? "a boolean"
                                                : v instanceof Map ? "an object" : "an array";
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail));
    }
}

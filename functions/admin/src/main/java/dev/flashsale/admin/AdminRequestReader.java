package dev.flashsale.admin;

import dev.flashsale.db.PaymentEvent;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.Problem;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import dev.flashsale.json.Json;
import dev.flashsale.json.JsonException;
import dev.flashsale.redis.Buckets;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads admin requests. The shape of a body (JSON object, known fields, JSON types, timestamp syntax) is checked first
 * and answered 400 {@code invalid-request}; then the values, all of them, answered 422 {@code invalid-sale} with one
 * {@code errors} entry per field.
 */
public final class AdminRequestReader {

    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_STOCK = 1_000_000;
    static final long MAX_PRICE_CENTS = 100_000_000L;
    static final int MAX_PER_BUYER = 10_000;
    static final int MAX_ITEM_LENGTH = 200;
    static final Duration MAX_WINDOW = Duration.ofDays(31);
    static final long MAX_PAYMENT_WINDOW_SECONDS = 604_800;
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 100;
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Set<String> CREATE_FIELDS = Set.of(
            "id",
            "item",
            "stock",
            "priceCents",
            "currency",
            "perBuyerLimit",
            "perOrderMax",
            "startsAt",
            "endsAt",
            "admission",
            "paymentWindowSeconds",
            "buckets");
    private static final Set<String> REQUIRED =
            Set.of("id", "item", "stock", "priceCents", "perBuyerLimit", "perOrderMax", "startsAt", "endsAt");

    private final Clock clock;

    public AdminRequestReader(Clock clock) {
        this.clock = clock;
    }

    public SaleDraft createSale(HttpRequest http) {
        Map<String, Object> body = object(http);
        for (String key : body.keySet()) {
            if (!CREATE_FIELDS.contains(key)) {
                throw invalid("unknown field '" + key + "'; allowed: "
                        + String.join(", ", CREATE_FIELDS.stream().sorted().toList()));
            }
        }
        for (String key : REQUIRED.stream().sorted().toList()) {
            if (!body.containsKey(key) || body.get(key) == null) {
                throw invalid("'" + key + "' is required");
            }
        }
        String id = string(body, "id");
        if (!HttpRequest.ID.matcher(id).matches()) {
            throw new ProblemException(ProblemType.INVALID_SALE_ID, "id must be 1 to 64 letters, digits, '-' or '_'");
        }
        String item = string(body, "item");
        long stock = integer(body, "stock");
        long price = integer(body, "priceCents");
        String currency =
                body.containsKey("currency") && body.get("currency") != null ? string(body, "currency") : "USD";
        long limit = integer(body, "perBuyerLimit");
        long max = integer(body, "perOrderMax");
        Instant startsAt = instant(body, "startsAt");
        Instant endsAt = instant(body, "endsAt");
        String admissionName = body.containsKey("admission") && body.get("admission") != null
                ? string(body, "admission")
                : Admission.OPEN.wire();
        Optional<Admission> admission = Admission.ofWire(admissionName);
        Long paymentWindow = body.containsKey("paymentWindowSeconds") && body.get("paymentWindowSeconds") != null
                ? integer(body, "paymentWindowSeconds")
                : null;
        long buckets = body.containsKey("buckets") && body.get("buckets") != null ? integer(body, "buckets") : 1;

        Map<String, String> errors = new LinkedHashMap<>();
        String trimmed = item.strip();
        if (trimmed.isEmpty()
                || trimmed.length() > MAX_ITEM_LENGTH
                || trimmed.chars().anyMatch(Character::isISOControl)) {
            errors.put("item", "must be 1 to " + MAX_ITEM_LENGTH + " characters without control characters");
        }
        if (stock < 1 || stock > MAX_STOCK) {
            errors.put("stock", "must be 1 to " + MAX_STOCK);
        }
        if (price < 0 || price > MAX_PRICE_CENTS) {
            errors.put("priceCents", "must be 0 to " + MAX_PRICE_CENTS);
        }
        if (!CURRENCY.matcher(currency).matches()) {
            errors.put("currency", "must be an ISO 4217 code of three capital letters");
        }
        if (limit < 1 || limit > MAX_PER_BUYER) {
            errors.put("perBuyerLimit", "must be 1 to " + MAX_PER_BUYER);
        }
        if (max < 1 || max > MAX_PER_BUYER) {
            errors.put("perOrderMax", "must be 1 to " + MAX_PER_BUYER);
        } else if (max > limit && limit >= 1) {
            errors.put("perOrderMax", "must not exceed perBuyerLimit (" + limit + ")");
        }
        if (admission.isEmpty()) {
            errors.put("admission", "must be 'open' or 'ticketed'");
        }
        if (paymentWindow != null && (paymentWindow < 1 || paymentWindow > MAX_PAYMENT_WINDOW_SECONDS)) {
            errors.put("paymentWindowSeconds", "must be 1 to " + MAX_PAYMENT_WINDOW_SECONDS + " (7 days), or absent");
        }
        if (buckets < 1 || buckets > Buckets.MAX) {
            errors.put("buckets", "must be 1 to " + Buckets.MAX + ", or absent (1)");
        } else if (buckets > 1 && admission.orElse(null) == Admission.TICKETED) {
            errors.put("buckets", "must be 1 for a ticketed sale (its queue admits against one stock counter)");
        }
        if (!endsAt.isAfter(startsAt)) {
            errors.put("endsAt", "must be after startsAt");
        } else if (Duration.between(startsAt, endsAt).compareTo(MAX_WINDOW) > 0) {
            errors.put("endsAt", "a sale lasts at most " + MAX_WINDOW.toDays() + " days");
        } else if (!endsAt.isAfter(clock.instant())) {
            errors.put("endsAt", "must be in the future");
        }
        if (!errors.isEmpty()) {
            throw invalidSale(errors);
        }
        return new SaleDraft(
                new Sale(id, (int) stock, (int) limit, (int) max, startsAt, endsAt, admission.get(), (int) buckets),
                trimmed,
                price,
                currency,
                paymentWindow == null ? null : Duration.ofSeconds(paymentWindow));
    }

    /** {@code {"add": n}}: units to add, 1..{@link #MAX_STOCK}. */
    public int stockToAdd(HttpRequest http) {
        Map<String, Object> body = object(http);
        for (String key : body.keySet()) {
            if (!key.equals("add")) {
                throw invalid("unknown field '" + key + "'; allowed: add");
            }
        }
        if (body.get("add") == null) {
            throw invalid("'add' is required");
        }
        long add = integer(body, "add");
        if (add < 1 || add > MAX_STOCK) {
            throw invalidSale(Map.of("add", "must be 1 to " + MAX_STOCK));
        }
        return (int) add;
    }

    public int pageSize(HttpRequest http) {
        String raw = http.queryParameter("limit").orElse(null);
        if (raw == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw invalid("limit must be an integer from 1 to " + MAX_PAGE);
    }

    /** The {@code after} cursor (a sale id), or null for the first page. */
    public String after(HttpRequest http) {
        String raw = http.queryParameter("after").orElse(null);
        if (raw != null && !HttpRequest.ID.matcher(raw).matches()) {
            throw invalid("after must be a sale id (1 to 64 letters, digits, '-' or '_')");
        }
        return raw;
    }

    /** The {@code after} cursor of the refunds (an event id), or null for the first page. */
    public String afterEvent(HttpRequest http) {
        String raw = http.queryParameter("after").orElse(null);
        if (raw != null && !PaymentEvent.ID.matcher(raw).matches()) {
            throw invalid("after must be an event id (1 to " + PaymentEvent.MAX_ID_LENGTH
                    + " letters, digits, '_', '.', ':' or '-')");
        }
        return raw;
    }

    private static Map<String, Object> object(HttpRequest http) {
        http.requireJsonContentType();
        String text = http.body(MAX_BODY_BYTES);
        if (text.isBlank()) {
            throw invalid("the body must be a JSON object");
        }
        try {
            return Json.readObject(text);
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
    }

    private static String string(Map<String, Object> body, String key) {
        if (body.get(key) instanceof String s) {
            return s;
        }
        throw invalid("'" + key + "' must be a string");
    }

    private static long integer(Map<String, Object> body, String key) {
        Object v = body.get(key);
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger) {
            return Long.MAX_VALUE; // out of every range: reported as a value error
        }
        throw invalid("'" + key + "' must be an integer");
    }

    private static Instant instant(Map<String, Object> body, String key) {
        String text = string(body, key);
        try {
            return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw invalid("'" + key + "' must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T09:00:00Z");
        }
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(ProblemType.INVALID_REQUEST, detail);
    }

    private static ProblemException invalidSale(Map<String, String> errors) {
        List<Map<String, String>> list = new ArrayList<>();
        errors.forEach((field, detail) -> list.add(Map.of("field", field, "detail", detail)));
        return new ProblemException(Problem.of(
                        ProblemType.INVALID_SALE,
                        String.join(
                                "; ",
                                errors.entrySet().stream()
                                        .map(e -> e.getKey() + " " + e.getValue())
                                        .toList()))
                .with("errors", list));
    }
}

package dev.flashsale.telemetry;

/**
 * The metric value of an outcome: a small, stable set (accepted, replayed, sold_out, rate_limited, limit_exceeded,
 * invalid, not_found, closed, not_admitted, unauthenticated, unavailable, error, and the confirm/release, waiting-room and
 * payment outcomes as they are), so
 * dashboards need not know every problem type.
 */
final class OutcomeCategory {

    private OutcomeCategory() {}

    static String of(String outcome) {
        return switch (outcome) {
            case "held" -> "accepted";
            case "sold-out" -> "sold_out";
            case "rate-limited" -> "rate_limited";
            case "purchase-limit-exceeded" -> "limit_exceeded";
            case "sale-not-found", "reservation-not-found", "order-not-found" -> "not_found";
            case "sale-not-started", "sale-ended", "queue-not-open" -> "closed";
            case "admission-required", "ticket-expired", "ticket-invalid" -> "not_admitted";
            case "invalid-signature", "stale-signature" -> "unauthenticated";
            case "service-unavailable" -> "unavailable";
            case "internal-error" -> "error";
            case "invalid-request",
                    "invalid-quantity",
                    "missing-idempotency-key",
                    "invalid-idempotency-key",
                    "invalid-sale-id",
                    "invalid-reservation-id",
                    "body-too-large",
                    "unsupported-media-type",
                    "idempotency-key-reused",
                    "amount-mismatch",
                    "event-id-reused",
                    "sale-not-ticketed",
                    "method-not-allowed" -> "invalid";
            default -> outcome.replace('-', '_');
        };
    }
}

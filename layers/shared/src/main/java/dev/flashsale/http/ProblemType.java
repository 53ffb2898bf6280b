package dev.flashsale.http;

/**
 * Every kind of problem the API answers with (RFC 9457). The {@code type} URIs are stable: clients may switch on them.
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", "The request is malformed", 400),
    INVALID_QUANTITY("invalid-quantity", "The quantity is not allowed", 400),
    MISSING_IDEMPOTENCY_KEY("missing-idempotency-key", "The Idempotency-Key header is required", 400),
    INVALID_IDEMPOTENCY_KEY("invalid-idempotency-key", "The Idempotency-Key header is invalid", 400),
    INVALID_SALE_ID("invalid-sale-id", "The sale id is invalid", 400),
    INVALID_RESERVATION_ID("invalid-reservation-id", "The reservation id is invalid", 400),
    UNAUTHENTICATED("unauthenticated", "The buyer is not authenticated", 401),
    ADMIN_UNAUTHENTICATED("admin-unauthenticated", "Admin credentials are required", 401),
    INVALID_SIGNATURE("invalid-signature", "The webhook signature is missing, malformed or does not match", 401),
    STALE_SIGNATURE("stale-signature", "The webhook signature's timestamp is outside the tolerance", 401),
    FORBIDDEN("forbidden", "These credentials may not do this", 403),
    ADMISSION_REQUIRED("admission-required", "This sale admits buyers through its queue: join it for a ticket", 403),
    TICKET_EXPIRED("ticket-expired", "The admission ticket has expired", 403),
    TICKET_INVALID("ticket-invalid", "The admission ticket is not valid for this sale and buyer", 403),
    SALE_NOT_FOUND("sale-not-found", "The sale does not exist", 404),
    RESERVATION_NOT_FOUND("reservation-not-found", "The reservation does not exist", 404),
    ORDER_NOT_FOUND("order-not-found", "There is no order for this reservation", 404),
    METHOD_NOT_ALLOWED("method-not-allowed", "The method is not allowed on this resource", 405),
    SOLD_OUT("sold-out", "The sale is sold out", 409),
    SALE_NOT_STARTED("sale-not-started", "The sale has not started", 409),
    SALE_ENDED("sale-ended", "The sale has ended", 409),
    SALE_EXISTS("sale-exists", "A different sale with this id exists", 409),
    SALE_NOT_TICKETED("sale-not-ticketed", "The sale admits every buyer; it has no queue", 409),
    QUEUE_NOT_OPEN("queue-not-open", "The sale's queue has not opened yet", 409),
    SALE_ALREADY_STARTED("sale-already-started", "The sale has already started", 409),
    PURCHASE_LIMIT_EXCEEDED("purchase-limit-exceeded", "The per-buyer limit would be exceeded", 409),
    ORDER_NOT_PAYABLE("order-not-payable", "The order takes no payment: it is final", 409),
    ORDER_NOT_CANCELLABLE("order-not-cancellable", "The order cannot be cancelled in its state", 409),
    EVENT_ID_REUSED("event-id-reused", "The event id was recorded for a different payment", 409),
    BODY_TOO_LARGE("body-too-large", "The request body is too large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "The request body must be application/json", 415),
    INVALID_SALE("invalid-sale", "The sale definition is invalid", 422),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "The Idempotency-Key was used for a different request", 422),
    AMOUNT_MISMATCH("amount-mismatch", "The amount or currency is not the order's", 422),
    RATE_LIMITED("rate-limited", "Too many requests", 429),
    INTERNAL_ERROR("internal-error", "Internal error", 500),
    SERVICE_UNAVAILABLE("service-unavailable", "The service is temporarily unavailable", 503);

    public static final String TYPE_PREFIX = "urn:flashsale:problem:";

    private final String slug;
    private final String title;
    private final int status;

    ProblemType(String slug, String title, int status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
    }

    public String uri() {
        return TYPE_PREFIX + slug;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }
}

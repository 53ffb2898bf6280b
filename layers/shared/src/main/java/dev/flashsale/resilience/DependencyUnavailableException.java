package dev.flashsale.resilience;

import java.time.Duration;

/**
 * A dependency (Redis, the database, the queue) failed or is too slow: not the caller's fault, worth retrying later.
 * Answered with 503 and Retry-After.
 */
public final class DependencyUnavailableException extends RuntimeException {

    private final String dependency;
    private final transient Duration retryAfter;

    public DependencyUnavailableException(String dependency, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.dependency = dependency;
        this.retryAfter = retryAfter;
    }

    public String dependency() {
        return dependency;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

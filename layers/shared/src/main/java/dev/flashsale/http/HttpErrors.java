package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP answers: the client's fault → its 4xx problem (no stack trace logged);
 * a dependency's → 503 with Retry-After; anything else → 500 that reveals nothing, logged with its cause.
 */
public final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    public static APIGatewayV2HTTPResponse answer(HttpRequest request, Supplier<APIGatewayV2HTTPResponse> route) {
        try {
            return route.get();
        } catch (ProblemException e) {
            return HttpResponses.problem(e.problem(), request.path());
        } catch (DependencyUnavailableException e) {
            if (e.getCause() == null) {
                // refused by an open breaker: one line per request would flood the logs during an outage
                LOG.debug("{} {} answered 503: {}", request.method(), request.path(), e.getMessage());
            } else {
                LOG.warn("{} {} answered 503: {}", request.method(), request.path(), e.getMessage());
            }
            return HttpResponses.problem(
                    Problem.of(
                                    ProblemType.SERVICE_UNAVAILABLE,
                                    "the service cannot take this request right now and nothing was reserved; retry after the Retry-After "
                                            + "delay (with the same Idempotency-Key for a reservation)")
                            .retryAfter(e.retryAfter()),
                    request.path());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed (request {})", request.method(), request.path(), request.requestId(), e);
            return HttpResponses.problem(
                    Problem.of(
                            ProblemType.INTERNAL_ERROR,
                            "an unexpected error occurred; request id " + request.requestId()),
                    request.path());
        }
    }
}

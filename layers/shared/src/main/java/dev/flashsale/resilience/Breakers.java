package dev.flashsale.resilience;

import java.time.Duration;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * Builds the named circuit breakers ({@code redis}, {@code sqs}, {@code db}) in one place, each logging its state
 * changes. Only failures of the dependency count against it: a caller's bad input or a script bug never opens a
 * breaker.
 */
public final class Breakers {

    private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

    private Breakers() {
    }

    public static CircuitBreaker create(String name, BreakerSettings s, Predicate<Throwable> isDependencyFailure) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.window())
                .minimumNumberOfCalls(Math.min(s.minimumCalls(), s.window()))
                .failureRateThreshold(s.failureRatePercent())
                .slowCallRateThreshold(s.slowCallRatePercent())
                .slowCallDurationThreshold(s.slowCall())
                .waitDurationInOpenState(s.openWait())
                .permittedNumberOfCallsInHalfOpenState(s.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(isDependencyFailure)
                .writableStackTraceEnabled(false)
                .build();
        CircuitBreaker breaker = CircuitBreaker.of(name, config);
        breaker.getEventPublisher().onStateTransition(e ->
                LOG.warn("circuit breaker '{}' {} -> {}", name, e.getStateTransition().getFromState(), e.getStateTransition().getToState()));
        return breaker;
    }

    /** How long clients should wait when {@code breaker} refuses calls. */
    public static Duration retryAfter(CircuitBreaker breaker) {
        return Duration.ofMillis(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
    }

    /**
     * Whether a call would be let through now, without using up a half-open probe: open breakers past their wait
     * move to half-open here, as they would on a real call.
     */
    public static boolean permitsCalls(CircuitBreaker breaker) {
        if (breaker.tryAcquirePermission()) {
            breaker.releasePermission();
            return true;
        }
        return false;
    }
}

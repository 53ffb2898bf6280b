package dev.flashsale.resilience;

import dev.flashsale.redis.RedisConnection;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Builds the named circuit breakers ({@code redis}, {@code sqs}, {@code db}) in one place, each logging its state
 * changes, and runs calls through them ({@link #call}). Only failures of the dependency count against it: a caller's
 * bad input or a script bug never opens a breaker.
 */
public final class Breakers {

    private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

    private Breakers() {}

    /**
     * Redis: a connection failure, a timeout, or a "cannot serve now" reply ({@link RedisConnection#isOutage}); not a
     * slot being moved between cluster nodes, which concerns one sale's keys for moments.
     */
    public static CircuitBreaker redis(BreakerSettings settings) {
        return create("redis", settings, RedisConnection::isOutage);
    }

    /** The database: only an unreachable or failing database; a statement it refuses is our bug, not its outage. */
    public static CircuitBreaker db(BreakerSettings settings) {
        return create("db", settings, e -> e instanceof DependencyUnavailableException);
    }

    /** SQS: any failure of the SDK call (its own retries included). */
    public static CircuitBreaker sqs(BreakerSettings settings) {
        return create("sqs", settings, e -> e instanceof SdkException);
    }

    /**
     * Runs {@code call} through {@code breaker} with resilience4j's own decorator (permission, duration, and the outcome
     * judged by the breaker's predicate); a call the breaker refuses throws what {@code refused} makes instead.
     */
    public static <T> T call(CircuitBreaker breaker, Supplier<T> call, Supplier<? extends RuntimeException> refused) {
        try {
            return breaker.executeSupplier(call);
        } catch (CallNotPermittedException e) {
            throw refused.get();
        }
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
        breaker.getEventPublisher()
                .onStateTransition(e -> LOG.warn(
                        "circuit breaker '{}' {} -> {}",
                        name,
                        e.getStateTransition().getFromState(),
                        e.getStateTransition().getToState()));
        return breaker;
    }

    /** How long clients should wait when {@code breaker} refuses calls. */
    public static Duration retryAfter(CircuitBreaker breaker) {
        return Duration.ofMillis(breaker.getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1));
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

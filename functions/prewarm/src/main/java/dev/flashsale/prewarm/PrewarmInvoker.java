package dev.flashsale.prewarm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

/**
 * The PrewarmFunction's Lambda handler (EventBridge schedule). The event carries nothing the run needs; the run is
 * bounded by the function's remaining time. Returns the run's report.
 */
public final class PrewarmInvoker implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    /** Without a Lambda context (local runs), a run may take this long. */
    static final Duration DEFAULT_TIME = Duration.ofMinutes(1);

    private final PrewarmHandler handler;
    private final Clock clock;

    /** Used by the Lambda runtime: the environment's one {@link PrewarmInit}. */
    public PrewarmInvoker() {
        this(PrewarmInit.instance().handler(), Clock.systemUTC());
    }

    public PrewarmInvoker(PrewarmHandler handler, Clock clock) {
        this.handler = handler;
        this.clock = clock;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Instant deadline = clock.instant().plus(context == null ? DEFAULT_TIME : Duration.ofMillis(context.getRemainingTimeInMillis()));
        return handler.run(deadline).toMap();
    }
}

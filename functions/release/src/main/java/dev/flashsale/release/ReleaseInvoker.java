package dev.flashsale.release;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The ReleaseFunction's Lambda handler (EventBridge schedule). The event carries nothing the job needs; the run is
 * bounded by the function's remaining time and {@link ReleaseSettings}. Returns the run's summary.
 */
public final class ReleaseInvoker implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final ReleaseHandler handler;
    private final Clock clock;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link ReleaseInit}'s invoker. */
    public ReleaseInvoker() {
        this(ReleaseInit.instance().invoker());
    }

    private ReleaseInvoker(ReleaseInvoker built) {
        this(built.handler, built.clock, built.telemetry);
    }

    public ReleaseInvoker(ReleaseHandler handler, Clock clock, Telemetry telemetry) {
        this.handler = handler;
        this.clock = clock;
        this.telemetry = telemetry;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Instant deadline = clock.instant().plus(Duration.ofMillis(context.getRemainingTimeInMillis()));
        return telemetry.scheduled("release run", context, "flashsale.release.runs", invocation -> {
            ReleaseSummary s = handler.run(deadline);
            invocation
                    .outcome(s.errors() > 0 ? "errors" : s.exhausted() ? "exhausted" : "done")
                    .attribute("flashsale.release.sales", s.sales())
                    .attribute("flashsale.release.holds_released", s.holdsReleased())
                    .attribute("flashsale.release.holds_confirmed", s.holdsConfirmed())
                    .attribute("flashsale.release.claims_confirmed", s.claimsConfirmed())
                    .attribute("flashsale.release.claims_released", s.claimsReleased());
            telemetry.count("flashsale.releases", "hold_released", s.holdsReleased());
            telemetry.count("flashsale.releases", "hold_confirmed", s.holdsConfirmed());
            telemetry.count("flashsale.releases", "claim_confirmed", s.claimsConfirmed());
            telemetry.count("flashsale.releases", "claim_released", s.claimsReleased());
            return s.toMap();
        });
    }
}

package dev.flashsale.prewarm;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The PrewarmFunction's Lambda handler (EventBridge schedule). The event carries nothing the run needs; the run is
 * bounded by the function's remaining time. Returns the run's report.
 */
public final class PrewarmInvoker implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final PrewarmHandler handler;
    private final Clock clock;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link PrewarmInit}'s invoker. */
    public PrewarmInvoker() {
        this(PrewarmInit.instance().invoker());
    }

    private PrewarmInvoker(PrewarmInvoker built) {
        this(built.handler, built.clock, built.telemetry);
    }

    public PrewarmInvoker(PrewarmHandler handler, Clock clock, Telemetry telemetry) {
        this.handler = handler;
        this.clock = clock;
        this.telemetry = telemetry;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Instant deadline = clock.instant().plus(Duration.ofMillis(context.getRemainingTimeInMillis()));
        return telemetry.scheduled("prewarm run", context, "flashsale.prewarm.runs", invocation -> {
            PrewarmReport report = handler.run(deadline);
            invocation
                    .outcome(
                            !report.didRun()
                                    ? "skipped"
                                    : report.lostLease() ? "lease_lost" : report.errors() > 0 ? "errors" : "done")
                    .attribute("flashsale.prewarm.loaded", report.loadedSales().size())
                    .attribute(
                            "flashsale.prewarm.reconciled", report.corrections().size());
            telemetry.count(
                    "flashsale.reconciliation.corrections",
                    "corrected",
                    report.corrections().size());
            return report.toMap();
        });
    }
}
